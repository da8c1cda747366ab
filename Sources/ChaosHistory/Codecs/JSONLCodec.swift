/// chaos's native history format: one JSON object per line,
/// `{"index":0,"time":12345,"process":3,"type":"invoke","f":"cas","key":"k1","value":[1,2],"error":"timeout","node":"n2"}`.
///
/// The encoder is hand-written because the recorder appends every operation of a run through it (≥ 1M ops/s).
/// Values map to JSON as null, bool, int, double, string, array; keywords become strings, sets arrays, and maps
/// objects with string keys.
public enum JSONLCodec {
    /// Appends one operation and its newline to `buffer`.
    public static func encode(_ op: Operation, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: #"{"index":"#.utf8)
        appendInt(Int64(op.index), to: &buffer)
        buffer.append(contentsOf: #","time":"#.utf8)
        appendInt(op.time, to: &buffer)
        buffer.append(contentsOf: #","process":"#.utf8)
        appendInt(Int64(op.process), to: &buffer)
        switch op.type {
        case .invoke: buffer.append(contentsOf: #","type":"invoke","f":"#.utf8)
        case .ok: buffer.append(contentsOf: #","type":"ok","f":"#.utf8)
        case .fail: buffer.append(contentsOf: #","type":"fail","f":"#.utf8)
        case .info: buffer.append(contentsOf: #","type":"info","f":"#.utf8)
        }
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

    /// A whole history as JSONL bytes.
    public static func encode(_ history: History) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(history.count * 96)
        for op in history.operations { encode(op, into: &buffer) }
        return buffer
    }

    /// Reads a JSONL history. Blank lines are allowed.
    /// - Throws: `HistoryError` at the offending line and column.
    public static func decode(_ bytes: [UInt8], file: String) throws(HistoryError) -> HistoryDocument {
        var operations: [Operation] = []
        var locations: [SourceLocation] = []
        var skipped = 0
        var line = 1
        var start = 0
        let failure: HistoryError? = bytes.withUnsafeBufferPointer { buffer in
            while start < buffer.count {
                var stop = start
                while stop < buffer.count && buffer[stop] != 0x0A { stop += 1 }
                var parser = JSONParser(buffer, from: start, to: stop)
                do throws(ParseFailure) {
                    if try !parser.atEnd() {
                        let column = parser.pos - start + 1
                        let value = try parser.readValue()
                        guard try parser.atEnd() else {
                            throw ParseFailure(offset: parser.pos, message: "unexpected text after the JSON object")
                        }
                        do throws(ParseFailureMessage) {
                            if let op = try OperationFields.operation(from: value, ordinal: operations.count + skipped) {
                                operations.append(op)
                                locations.append(SourceLocation(line: line, column: column))
                            } else {
                                skipped += 1
                            }
                        } catch {
                            return HistoryError(file: file, line: line, column: column, message: error.message)
                        }
                    }
                } catch {
                    return HistoryError(file: file, line: line, column: error.offset - start + 1,
                                        message: error.message)
                }
                line += 1
                start = stop + 1
            }
            return nil
        }
        if let failure { throw failure }
        return HistoryDocument(history: History(operations), locations: locations, file: file, skipped: skipped)
    }

    // MARK: - Encoding helpers

    @inline(__always)
    static func appendInt(_ value: Int64, to buffer: inout [UInt8]) {
        if value >= 0 && value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch: enough for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var n = 0
            while magnitude > 0 {
                scratch[23 - n] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
                n += 1
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - n)...]))
            return n
        }
        _ = count
    }

    static func appendString(_ s: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let c = utf8[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if runStart < i { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                runStart = i + 1
                switch c {
                case UInt8(ascii: "\""): buffer.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
                case 0x0A: buffer.append(contentsOf: #"\n"#.utf8)
                case 0x09: buffer.append(contentsOf: #"\t"#.utf8)
                case 0x0D: buffer.append(contentsOf: #"\r"#.utf8)
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.append(contentsOf: #"\u00"#.utf8)
                    buffer.append(hex[Int(c >> 4)])
                    buffer.append(hex[Int(c & 0xF)])
                }
            }
            if runStart < utf8.count {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    static func appendValue(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .null: buffer.append(contentsOf: "null".utf8)
        case .bool(let b): buffer.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInt(i, to: &buffer)
        case .double(let d):
            if d.isFinite {
                var s = String(d)
                if !s.contains(where: { $0 == "." || $0 == "e" }) { s += ".0" }
                buffer.append(contentsOf: s.utf8)
            } else {
                buffer.append(contentsOf: "null".utf8)  // JSON has no NaN or infinity
            }
        case .string(let s), .keyword(let s): appendString(s, to: &buffer)
        case .vector(let items): appendArray(items, to: &buffer)
        case .set(let items): appendArray(Array(items), to: &buffer)
        case .map(let map):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in map {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                appendString(k.stringValue ?? EDNWriter.text(k), to: &buffer)
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
}
