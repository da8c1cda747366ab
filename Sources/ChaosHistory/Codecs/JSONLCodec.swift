/// chaos's native history format: one JSON object per line,
/// `{"index":0,"time":12345,"process":3,"type":"invoke","f":"cas","key":"k1","value":[1,2],"error":"timeout","node":"n2"}`.
///
/// The encoder is hand-written because the recorder appends every operation of a run through it (≥ 1M ops/s).
/// Values map to JSON as null, bool, int, double, string, array; keywords become strings, sets arrays, and maps
/// objects with string keys.
public enum JSONLCodec {
    /// Appends one operation and its newline to `buffer`.
    public static func encode(_ op: Operation, into buffer: inout [UInt8]) {
        appendLiteral(#"{"index":"#, to: &buffer)
        appendInt(Int64(op.index), to: &buffer)
        appendLiteral(#","time":"#, to: &buffer)
        appendInt(op.time, to: &buffer)
        appendLiteral(#","process":"#, to: &buffer)
        appendInt(Int64(op.process), to: &buffer)
        switch op.type {
        case .invoke: appendLiteral(#","type":"invoke","f":"#, to: &buffer)
        case .ok: appendLiteral(#","type":"ok","f":"#, to: &buffer)
        case .fail: appendLiteral(#","type":"fail","f":"#, to: &buffer)
        case .info: appendLiteral(#","type":"info","f":"#, to: &buffer)
        }
        appendString(op.f, to: &buffer)
        if let key = op.key {
            appendLiteral(#","key":"#, to: &buffer)
            appendValue(key, to: &buffer)
        }
        appendLiteral(#","value":"#, to: &buffer)
        appendValue(op.value, to: &buffer)
        if let error = op.error {
            appendLiteral(#","error":"#, to: &buffer)
            appendString(error, to: &buffer)
        }
        if let node = op.node {
            appendLiteral(#","node":"#, to: &buffer)
            appendString(node, to: &buffer)
        }
        appendLiteral("}\n", to: &buffer)
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
        try bytes.withUnsafeBufferPointer { buffer throws(HistoryError) in
            while start < buffer.count {
                var stop = start
                while stop < buffer.count && buffer[stop] != 0x0A { stop += 1 }
                if let (op, location) = try decodeLine(buffer, from: start, to: stop, line: line,
                                                       ordinal: operations.count, skipped: &skipped, file: file) {
                    operations.append(op)
                    locations.append(location)
                }
                line += 1
                start = stop + 1
            }
        }
        return HistoryDocument(history: History(operations), locations: locations, file: file, skipped: skipped)
    }

    /// The operation on `line` (bytes `start..<stop`) and where it starts; nil for a blank line, or for an
    /// operation that is not a client's (counted in `skipped`).
    /// - Parameter ordinal: operations read before this line; the history's index when the line gives none.
    static func decodeLine(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to stop: Int, line: Int, ordinal: Int,
        skipped: inout Int, file: String
    ) throws(HistoryError) -> (Operation, SourceLocation)? {
        if let op = JSONLFastPath.operation(buffer, from: start, to: stop) {
            return (op, SourceLocation(line: line, column: 1))
        }
        return try decodeLineGenerally(buffer, from: start, to: stop, line: line, ordinal: ordinal,
                                       skipped: &skipped, file: file)
    }

    /// `decodeLine` without the fast path: any JSON object of an operation's fields, with located errors.
    static func decodeLineGenerally(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to stop: Int, line: Int, ordinal: Int,
        skipped: inout Int, file: String
    ) throws(HistoryError) -> (Operation, SourceLocation)? {
        var parser = JSONParser(buffer, from: start, to: stop)
        let column: Int
        let form: OperationFields.Form
        do throws(ParseFailure) {
            guard try !parser.atEnd() else { return nil }
            column = parser.pos - start + 1
            form = try parser.readEntry()
            guard try parser.atEnd() else {
                throw ParseFailure(offset: parser.pos, message: "unexpected text after the JSON object")
            }
        } catch {
            throw HistoryError(file: file, line: line, column: error.offset - start + 1, message: error.message)
        }
        do throws(ParseFailureMessage) {
            guard let op = try OperationFields.operation(from: form, ordinal: ordinal + skipped) else {
                skipped += 1
                return nil
            }
            return (op, SourceLocation(line: line, column: column))
        } catch {
            throw HistoryError(file: file, line: line, column: column, message: error.message)
        }
    }

    // MARK: - Encoding helpers

    @inline(__always)
    static func appendInt(_ value: Int64, to buffer: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            buffer.append(UInt8(truncatingIfNeeded: magnitude) &+ 0x30)
            return
        }
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0x30, count: digits))
        buffer.withUnsafeMutableBufferPointer { out in
            var i = start + digits - 1
            while magnitude > 0 {
                out[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
                i -= 1
            }
        }
    }

    @inline(__always)
    static func appendLiteral(_ text: StaticString, to buffer: inout [UInt8]) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    static func appendString(_ s: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &buffer) }) == nil {
            Array(s.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &buffer) }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        var runStart = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
            if runStart < i { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            switch c {
            case UInt8(ascii: "\""): appendLiteral(#"\""#, to: &buffer)
            case UInt8(ascii: "\\"): appendLiteral(#"\\"#, to: &buffer)
            case 0x0A: appendLiteral(#"\n"#, to: &buffer)
            case 0x09: appendLiteral(#"\t"#, to: &buffer)
            case 0x0D: appendLiteral(#"\r"#, to: &buffer)
            default:
                let hex: StaticString = "0123456789abcdef"
                appendLiteral(#"\u00"#, to: &buffer)
                buffer.append(hex.utf8Start[Int(c >> 4)])
                buffer.append(hex.utf8Start[Int(c & 0xF)])
            }
        }
        if runStart < utf8.count {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }

    static func appendValue(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .null: appendLiteral("null", to: &buffer)
        case .bool(let b): appendLiteral(b ? "true" : "false", to: &buffer)
        case .int(let i): appendInt(i, to: &buffer)
        case .double(let d):
            if d.isFinite {
                var s = String(d)
                if !s.contains(where: { $0 == "." || $0 == "e" }) { s += ".0" }
                buffer.append(contentsOf: s.utf8)
            } else {
                appendLiteral("null", to: &buffer)  // JSON has no NaN or infinity
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
