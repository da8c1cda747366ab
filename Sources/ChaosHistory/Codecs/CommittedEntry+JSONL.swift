extension CommittedEntry {
    /// The entry as one line of `log.jsonl`, keys sorted and absent fields left out: the same bytes as
    /// `JSONEncoder` with `.sortedKeys`, written without it (the log follower writes a line per committed entry
    /// all through the run, and the encoder was a visible share of the controller's CPU).
    public func appendJSONLine(to buffer: inout [UInt8]) {
        var first = true
        func key(_ name: StaticString) {
            JSONLCodec.appendLiteral(first ? "{\"" : ",\"", to: &buffer)
            JSONLCodec.appendLiteral(name, to: &buffer)
            JSONLCodec.appendLiteral("\":", to: &buffer)
            first = false
        }
        if let expected {
            key("expected")
            JSONLCodec.appendString(expected, to: &buffer)
        }
        key("index")
        JSONLCodec.appendInt(index, to: &buffer)
        if let k = self.key {
            key("key")
            JSONLCodec.appendString(k, to: &buffer)
        }
        key("node")
        JSONLCodec.appendString(node, to: &buffer)
        key("op")
        JSONLCodec.appendString(op.rawValue, to: &buffer)
        key("term")
        JSONLCodec.appendInt(term, to: &buffer)
        if let through {
            key("through")
            JSONLCodec.appendInt(through, to: &buffer)
        }
        if let value {
            key("value")
            JSONLCodec.appendString(value, to: &buffer)
        }
        JSONLCodec.appendLiteral("}\n", to: &buffer)
    }
}
