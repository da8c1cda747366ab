extension JSON {
    /// An entry's contents as extra fields of its `/raft/log` object (`,"op":"put","key":…,"value":…`), for
    /// `?contents=1`: chaos follows the committed log with them to resolve indeterminate client operations.
    static func contents(_ data: [UInt8]) -> String {
        switch Command.decode(data) {
        case .put(let key, let value)?:
            ",\"op\":\"put\",\"key\":\(string(key)),\"value\":\(string(value))"
        case .cas(let key, let from, let to)?:
            ",\"op\":\"cas\",\"key\":\(string(key)),\"expected\":\(string(from)),\"value\":\(string(to))"
        case .append?, nil:
            ",\"op\":\"other\""
        }
    }
}
