import ChaosSupport

/// Hand-written JSON for the few small bodies of the node API: cheaper than an encoder on the hot path.
enum JSON {
    /// A JSON string literal of `s`, quotes included.
    static func string(_ s: String) -> String { QuotedString.literal(s) }

    static func optional(_ s: String?) -> String { s.map(string) ?? "null" }

    static func error(_ message: String) -> String { "{\"error\":\(string(message))}" }

    static func status(_ s: NodeStatus) -> String {
        var out = "{\"id\":\(string(s.id)),\"role\":\"\(s.role.statusName)\",\"term\":\(s.term),"
            + "\"leader\":\(optional(s.leader)),\"commitIndex\":\(s.commitIndex),\"appliedIndex\":\(s.appliedIndex),"
            + "\"lastIndex\":\(s.lastIndex),\"snapshotIndex\":\(s.snapshotIndex)"
        if s.role == .leader {
            let peers = s.peers.keys.sorted().map { id in
                "\(string(id)):{\"matchIndex\":\(s.peers[id]!.match),\"nextIndex\":\(s.peers[id]!.next)}"
            }
            out += ",\"peers\":{" + peers.joined(separator: ",") + "}"
        }
        return out + "}"
    }

    /// Parses a flat object of string values, e.g. `{"from":"a","to":"b"}`; nil when malformed.
    static func parseStringObject(_ text: String) -> [String: String]? {
        var p = Substring(text).unicodeScalars[...]
        func skipSpace() { while let c = p.first, c == " " || c == "\n" || c == "\t" || c == "\r" { p.removeFirst() } }
        func parseString() -> String? {
            guard p.first == "\"" else { return nil }
            p.removeFirst()
            var out = String.UnicodeScalarView()
            while let c = p.first {
                p.removeFirst()
                if c == "\"" { return String(out) }
                if c == "\\" {
                    guard let e = p.first else { return nil }
                    p.removeFirst()
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "u":
                        let hex = String(String.UnicodeScalarView(p.prefix(4)))
                        guard hex.count == 4, let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else {
                            return nil
                        }
                        p.removeFirst(4)
                        out.append(s)
                    default: out.append(e)
                    }
                } else {
                    out.append(c)
                }
            }
            return nil
        }
        skipSpace()
        guard p.first == "{" else { return nil }
        p.removeFirst()
        var result: [String: String] = [:]
        skipSpace()
        if p.first == "}" {
            p.removeFirst()
            skipSpace()
            return p.isEmpty ? result : nil
        }
        while true {
            skipSpace()
            guard let key = parseString() else { return nil }
            skipSpace()
            guard p.first == ":" else { return nil }
            p.removeFirst()
            skipSpace()
            guard let value = parseString() else { return nil }
            result[key] = value
            skipSpace()
            guard let c = p.first else { return nil }
            p.removeFirst()
            if c == "}" { break }
            guard c == "," else { return nil }
        }
        skipSpace()
        return p.isEmpty ? result : nil
    }
}
