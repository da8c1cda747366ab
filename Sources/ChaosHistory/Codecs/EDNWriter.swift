import ChaosSupport

/// Writes values and histories as EDN, in the shape Jepsen tools read (`history.edn`).
public enum EDNWriter {
    /// The EDN text of one value.
    public static func text(_ value: Value) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    /// A whole history as Jepsen writes it: a vector of op maps, one per line.
    public static func history(_ history: History) -> String {
        var out = "["
        out.reserveCapacity(history.count * 80)
        for (i, op) in history.operations.enumerated() {
            if i > 0 { out += "\n " }
            write(op, into: &out)
        }
        out += "]\n"
        return out
    }

    /// One operation: `{:index 0, :time 12, :process 3, :type :invoke, :f :cas, :value [1 2]}` plus `:key`,
    /// `:error` and `:node` when present.
    public static func write(_ op: Operation, into out: inout String) {
        out += "{:index \(op.index), :time \(op.time), :process \(op.process), :type :\(op.type.rawValue), :f "
        writeName(op.f, into: &out)
        if let key = op.key {
            out += ", :key "
            write(key, into: &out)
        }
        out += ", :value "
        write(op.value, into: &out)
        if let error = op.error {
            out += ", :error "
            writeString(error, into: &out)
        }
        if let node = op.node {
            out += ", :node "
            writeString(node, into: &out)
        }
        out += "}"
    }

    public static func write(_ value: Value, into out: inout String) {
        switch value {
        case .null: out += "nil"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN {
                out += "##NaN"
            } else if d.isInfinite {
                out += d < 0 ? "##-Inf" : "##Inf"
            } else {
                let s = String(d)
                out += s
                // `1e+20` reads back as a float; `100` would read back as an integer.
                if !s.contains(where: { $0 == "." || $0 == "e" }) { out += ".0" }
            }
        case .string(let s): writeString(s, into: &out)
        case .keyword(let k): writeName(k, into: &out)
        case .vector(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += " " }
                write(item, into: &out)
            }
            out += "]"
        case .set(let items):
            out += "#{"
            for (i, item) in items.enumerated() {
                if i > 0 { out += " " }
                write(item, into: &out)
            }
            out += "}"
        case .map(let map):
            out += "{"
            for (i, (k, v)) in map.enumerated() {
                if i > 0 { out += ", " }
                write(k, into: &out)
                out += " "
                write(v, into: &out)
            }
            out += "}"
        }
    }

    /// A keyword when the name can be one, else a string (so the output always parses).
    static func writeName(_ name: String, into out: inout String) {
        if isKeywordName(name) {
            out += ":"
            out += name
        } else {
            writeString(name, into: &out)
        }
    }

    static func isKeywordName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: ":"), first != UInt8(ascii: "#") else {
            return false
        }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || "-_.*+!?<>=/$%&'".utf8.contains(c)
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        QuotedString.append(quoted: s, to: &out)
    }
}
