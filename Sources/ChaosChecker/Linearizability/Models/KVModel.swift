import ChaosHistory

/// Porcupine's key-value model for one key (the search partitions by `key`): a string, initially `""`, with
/// `put` (set), `append` (concatenate) and `get` (read). A `get` of nil is unconstrained.
struct KVModel: SequentialModel {
    enum Step: Hashable {
        case get(Int64)
        case put(Int64)
        case append(Int64)
    }

    private var ids: [String: Int64] = ["": 0]
    private var strings: [String] = [""]
    /// (state, suffix) → state after appending, so each concatenation is built once.
    private var appended: [Int64: Int64] = [:]
    let initialState: Int64 = 0

    mutating func step(for call: ModelCall) throws(CheckerError) -> Step? {
        switch call.f {
        case "get", "read":
            guard call.outcome == .ok, let value = call.completion?.value, !value.isNull else { return nil }
            return .get(id(Self.text(value)))
        case "put", "write":
            return call.outcome == .fail ? nil : .put(id(Self.text(call.requested)))
        case "append":
            return call.outcome == .fail ? nil : .append(id(Self.text(call.requested)))
        default:
            throw call.error("model kv has no operation '\(call.f)' (it knows get, put and append)")
        }
    }

    static func text(_ value: Value) -> String { value.stringValue ?? EDNWriter.text(value) }

    private mutating func id(_ s: String) -> Int64 {
        if let id = ids[s] { return id }
        let id = Int64(strings.count)
        ids[s] = id
        strings.append(s)
        return id
    }

    mutating func apply(_ step: Step, to state: Int64) -> Int64? {
        switch step {
        case .get(let v): return state == v ? state : nil
        case .put(let v): return v
        case .append(let suffix):
            if suffix == 0 { return state }
            let key = state << 32 | suffix  // ids stay far below 2^32 within one partition
            if let next = appended[key] { return next }
            let next = id(strings[Int(state)] + strings[Int(suffix)])
            appended[key] = next
            return next
        }
    }

    func isReadOnly(_ step: Step) -> Bool { if case .get = step { true } else { false } }

    func describe(_ state: Int64) -> String { EDNWriter.text(.string(strings[Int(state)])) }

    /// The interned string `id` stands for.
    func string(_ id: Int64) -> String { strings[Int(id)] }
}
