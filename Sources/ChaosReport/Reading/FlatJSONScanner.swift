/// Reads the top-level fields of one JSON object (one line of a `.jsonl` file) without building a tree: each
/// scalar is handed over as bytes, nested values are skipped. The report reads millions of lines and needs a
/// few fields of each; a general decoder spends most of its time on the rest.
struct FlatJSONScanner {
    enum Kind { case string, number, bool, null, nested }

    struct Failure: Error {
        var offset: Int
        var message: String
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.bytes = bytes
        self.pos = start
        self.end = end
    }

    /// True when the line holds only white space.
    mutating func isBlank() -> Bool {
        skipSpace()
        return pos >= end
    }

    /// Calls `visit` with each top-level key and the byte range of its value (without quotes for strings).
    mutating func fields(_ visit: (String, Kind, Range<Int>, Bool) throws(Failure) -> Void) throws(Failure) {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if pos < end, bytes[pos] == UInt8(ascii: "}") { pos += 1; return try trailing() }
        while true {
            skipSpace()
            let (keyRange, _) = try string()
            let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[keyRange]), as: UTF8.self)
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            guard pos < end else { throw Failure(offset: pos, message: "the line ends inside the object") }
            switch bytes[pos] {
            case UInt8(ascii: "\""):
                let (range, escaped) = try string()
                try visit(key, .string, range, escaped)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let start = pos
                try skipNested()
                try visit(key, .nested, start..<pos, false)
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                let start = pos
                let word = bytes[pos] == UInt8(ascii: "t") ? 4 : 5
                pos += word
                guard pos <= end else { throw Failure(offset: start, message: "a cut-short literal") }
                try visit(key, .bool, start..<pos, false)
            case UInt8(ascii: "n"):
                pos += 4
                try visit(key, .null, pos - 4..<pos, false)
            default:
                let start = pos
                while pos < end, Self.isNumberByte(bytes[pos]) { pos += 1 }
                guard pos > start else { throw Failure(offset: pos, message: "expected a value") }
                try visit(key, .number, start..<pos, false)
            }
            skipSpace()
            guard pos < end else { throw Failure(offset: pos, message: "the line ends inside the object") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            try expect(UInt8(ascii: "}"))
            return try trailing()
        }
    }

    /// An integer from a number's bytes; nil for a fraction, exponent or overflow.
    func integer(_ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        var negative = false
        if i < range.upperBound, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < range.upperBound else { return nil }
        var value: Int64 = 0
        while i < range.upperBound {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
            i += 1
        }
        return negative ? -value : value
    }

    /// A string's text, unescaping `\"`, `\\`, `\/`, `\n`, `\t`, `\r`, `\b`, `\f` and `\uXXXX` when needed.
    func text(_ range: Range<Int>, escaped: Bool) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var units: [UInt16] = []
        var i = 0
        func flushUnits() {
            guard !units.isEmpty else { return }
            out += Array(String(decoding: units, as: UTF16.self).utf8)
            units = []
        }
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "\\"), i + 1 < raw.count else {
                flushUnits()
                out.append(raw[i])
                i += 1
                continue
            }
            let c = raw[i + 1]
            if c == UInt8(ascii: "u"), i + 5 < raw.count,
               let unit = UInt16(String(decoding: UnsafeBufferPointer(rebasing: raw[(i + 2)..<(i + 6)]), as: UTF8.self),
                                 radix: 16) {
                units.append(unit)
                i += 6
                continue
            }
            flushUnits()
            switch c {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            default: out.append(c)
            }
            i += 2
        }
        flushUnits()
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func string() throws(Failure) -> (Range<Int>, Bool) {
        try expect(UInt8(ascii: "\""))
        let start = pos
        var escaped = false
        while pos < end {
            switch bytes[pos] {
            case UInt8(ascii: "\""):
                pos += 1
                return (start..<pos - 1, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                pos += 2
            default:
                pos += 1
            }
        }
        throw Failure(offset: start, message: "a string is not closed")
    }

    private mutating func skipNested() throws(Failure) {
        var depth = 0
        while pos < end {
            switch bytes[pos] {
            case UInt8(ascii: "\""):
                _ = try string()
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { pos += 1; return }
            default: break
            }
            pos += 1
        }
        throw Failure(offset: pos, message: "a nested value is not closed")
    }

    private mutating func trailing() throws(Failure) {
        skipSpace()
        guard pos >= end else { throw Failure(offset: pos, message: "unexpected text after the JSON object") }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard pos < end, bytes[pos] == byte else {
            throw Failure(offset: pos, message: "expected '\(Character(Unicode.Scalar(byte)))'")
        }
        pos += 1
    }

    private mutating func skipSpace() {
        while pos < end, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0D { pos += 1 }
    }

    private static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    }
}

/// Runs `parse` on each non-blank line of a file's bytes, naming the line of the first failure. A last line
/// that does not parse is dropped: a run that was killed may have cut it short.
/// - Parameters:
///   - firstLine: the number of the first line of `bytes` in its file (a chunk of a longer file).
///   - lastMayBeCut: false for a chunk of complete lines, whose last line is not the file's.
func scanLines<T>(_ bytes: [UInt8], path: String, firstLine: Int = 1, lastMayBeCut: Bool = true,
                  _ parse: (inout FlatJSONScanner) throws(FlatJSONScanner.Failure) -> T?) throws(ReportError) -> [T] {
    var records: [T] = []
    let failure: ReportError? = bytes.withUnsafeBufferPointer { buffer in
        var start = 0
        var line = firstLine
        while start < buffer.count {
            var stop = start
            while stop < buffer.count && buffer[stop] != 0x0A { stop += 1 }
            var scanner = FlatJSONScanner(buffer, from: start, to: stop)
            if !scanner.isBlank() {
                do throws(FlatJSONScanner.Failure) {
                    if let record = try parse(&scanner) { records.append(record) }
                } catch {
                    let isLast = lastMayBeCut
                        && buffer[stop...].allSatisfy { $0 == 0x0A || $0 == 0x20 || $0 == 0x0D }
                    if !isLast {
                        return ReportError(path: "\(path):\(line):\(error.offset - start + 1)", error.message)
                    }
                }
            }
            start = stop + 1
            line += 1
        }
        return nil
    }
    if let failure { throw failure }
    return records
}
