/// The native history format: one JSON object per line.
///
/// `{"index":0,"time":12345,"process":3,"type":"invoke","f":"cas","key":"k1","value":[1,2]}`; optional fields
/// are omitted. Encoding is hand-written because the recorder appends on every client operation.
public enum JSONLCodec {
    /// Appends `op` as one JSON line (with its newline) to `buffer`.
    public static func encode(_ op: Operation, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: #"{"index":"#.utf8)
        appendInt(Int64(op.index), to: &buffer)
        buffer.append(contentsOf: #","time":"#.utf8)
        appendInt(op.time, to: &buffer)
        buffer.append(contentsOf: #","process":"#.utf8)
        appendInt(Int64(op.process), to: &buffer)
        buffer.append(contentsOf: #","type":""#.utf8)
        buffer.append(contentsOf: op.type.rawValue.utf8)
        buffer.append(contentsOf: #"","f":"#.utf8)
        appendString(op.f, to: &buffer)
        if let key = op.key {
            buffer.append(contentsOf: #","key":"#.utf8)
            appendValue(key, to: &buffer)
        }
        buffer.append(contentsOf: #","value":"#.utf8)
        appendValue(op.value, to: &buffer)
        if let error = op.error {
            buffer.append(contentsOf: #","error":"#.utf8)
            appendString(error, to: &buffer)
        }
        if let node = op.node {
            buffer.append(contentsOf: #","node":"#.utf8)
            appendString(node, to: &buffer)
        }
        buffer.append(contentsOf: "}\n".utf8)
    }

    static func appendValue(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .null: buffer.append(contentsOf: "null".utf8)
        case .bool(let b): buffer.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInt(i, to: &buffer)
        case .double(let d): buffer.append(contentsOf: (d.isFinite ? "\(d)" : "null").utf8)
        case .string(let s), .keyword(let s): appendString(s, to: &buffer)
        case .vector(let items): appendArray(items, to: &buffer)
        case .set(let items): appendArray(Array(items), to: &buffer)
        case .map(let entries):
            buffer.append(UInt8(ascii: "{"))
            for (i, (k, v)) in entries.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                if case .string(let s) = k { appendString(s, to: &buffer) } else {
                    var key: [UInt8] = []
                    appendValue(k, to: &key)
                    appendString(String(decoding: key, as: UTF8.self), to: &buffer)
                }
                buffer.append(UInt8(ascii: ":"))
                appendValue(v, to: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    private static func appendArray(_ items: [Value], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            appendValue(item, to: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
    }

    static func appendInt(_ value: Int64, to buffer: inout [UInt8]) {
        if value == 0 { buffer.append(UInt8(ascii: "0")); return }
        var v = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while v > 0 {
                raw[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[i]) }
        }
    }

    static func appendString(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): buffer.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): buffer.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): buffer.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: #"\u00"#.utf8)
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0xF)])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
