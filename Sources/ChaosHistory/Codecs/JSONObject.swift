/// A JSON object read from bytes (an HTTP response body): the same reader as history lines, so the client path
/// parses a node's answer without Foundation's `JSONSerialization` (a `Data` copy and bridged dictionaries per
/// request).
public enum JSONObject {
    /// The top-level object's fields, or nil when `bytes` is not exactly one JSON object.
    public static func fields(_ bytes: [UInt8]) -> [String: Value]? {
        bytes.withUnsafeBufferPointer { buffer -> [String: Value]? in
            var parser = JSONParser(buffer, from: 0, to: buffer.count)
            guard case .pairs(let pairs)? = try? parser.readEntry(), (try? parser.atEnd()) == true else { return nil }
            var fields: [String: Value] = [:]
            fields.reserveCapacity(pairs.count / 2)
            var i = 0
            while i + 1 < pairs.count {
                if case .string(let name) = pairs[i] { fields[name] = pairs[i + 1] }
                i += 2
            }
            return fields
        }
    }

    /// One field of the top-level object, or nil when it has none or `bytes` is not one JSON object.
    ///
    /// A node's compact answer (`{"ok":true,"index":12}`) is read in place without building the others' names
    /// or a dictionary — one answer per operation on the client path; any other shape goes through `fields`.
    public static func field(_ name: StaticString, in bytes: [UInt8]) -> Value? {
        let read: Value?? = bytes.withUnsafeBufferPointer { buffer in
            var reader = FlatJSONReader(bytes: buffer, pos: 0, end: buffer.count)
            var found: Value?
            let whole = reader.object { key, reader in
                guard let value = reader.value() else { return false }
                if FlatJSONReader.equal(key, name) { found = value }
                return true
            }
            return whole ? .some(found) : nil
        }
        if let read { return read }
        return fields(bytes)?[name.description]
    }
}
