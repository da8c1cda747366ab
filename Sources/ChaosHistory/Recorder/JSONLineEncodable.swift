/// A record that writes its own `.jsonl` line (keys sorted, absent fields left out: the bytes `JSONEncoder` with
/// `.sortedKeys` would give), for the records written all through a run — samples ten times a second per node,
/// committed entries — where `JSONEncoder` was a visible share of the controller's CPU. `JSONLWriter` uses it
/// when the record has it.
public protocol JSONLineEncodable {
    /// Appends the record as one JSON object and a newline.
    func appendJSONLine(to buffer: inout [UInt8])
}

/// Writes the fields of one JSON object in the order given (callers give them sorted), leaving out nils.
struct JSONLineFields {
    private(set) var buffer: [UInt8]
    private var first = true

    init(_ buffer: [UInt8]) { self.buffer = buffer }

    private mutating func key(_ name: StaticString) {
        JSONLCodec.appendLiteral(first ? "{\"" : ",\"", to: &buffer)
        JSONLCodec.appendLiteral(name, to: &buffer)
        JSONLCodec.appendLiteral("\":", to: &buffer)
        first = false
    }

    mutating func add(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONLCodec.appendString(value, to: &buffer)
    }

    mutating func add<I: BinaryInteger>(_ name: StaticString, _ value: I?) {
        guard let value else { return }
        key(name)
        JSONLCodec.appendInt(Int64(value), to: &buffer)
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        key(name)
        JSONLCodec.appendLiteral(value ? "true" : "false", to: &buffer)
    }

    /// Closes the object and the line.
    mutating func end() {
        JSONLCodec.appendLiteral(first ? "{}\n" : "}\n", to: &buffer)
    }
}

extension CommittedEntry: JSONLineEncodable {
    public func appendJSONLine(to buffer: inout [UInt8]) {
        var fields = JSONLineFields(buffer)
        buffer = []
        fields.add("expected", expected)
        fields.add("index", index)
        fields.add("key", key)
        fields.add("node", node)
        fields.add("op", op.rawValue)
        fields.add("term", term)
        fields.add("through", through)
        fields.add("value", value)
        fields.end()
        buffer = fields.buffer
    }
}

extension Sample: JSONLineEncodable {
    public func appendJSONLine(to buffer: inout [UInt8]) {
        var fields = JSONLineFields(buffer)
        buffer = []
        fields.add("answered", answered)
        fields.add("appliedIndex", appliedIndex)
        fields.add("commitIndex", commitIndex)
        fields.add("error", error)
        fields.add("lastIndex", lastIndex)
        fields.add("leader", leader)
        fields.add("node", node)
        fields.add("openFDs", openFDs)
        fields.add("pid", pid)
        fields.add("role", role)
        fields.add("rssBytes", rssBytes)
        fields.add("snapshotIndex", snapshotIndex)
        fields.add("term", term)
        fields.add("threads", threads)
        fields.add("time", time)
        fields.end()
        buffer = fields.buffer
    }
}
