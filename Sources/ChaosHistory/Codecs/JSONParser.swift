/// A small JSON reader for one line of a JSONL history, producing `Value` (objects become maps keyed by strings).
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    let end: Int
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.bytes = bytes
        self.pos = start
        self.end = end
    }

    mutating func skipSpace() {
        while pos < end, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0D || bytes[pos] == 0x0A {
            pos += 1
        }
    }

    mutating func atEnd() throws(ParseFailure) -> Bool {
        skipSpace()
        return pos >= end
    }

    mutating func readValue() throws(ParseFailure) -> Value {
        skipSpace()
        guard pos < end else { throw ParseFailure(offset: pos, message: "unexpected end of line, expected a value") }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "{"):
            var map: [Value: Value] = [:]
            let pairs = try readObjectPairs()
            var i = 0
            while i < pairs.count {
                map[pairs[i]] = pairs[i + 1]
                i += 2
            }
            return .map(map)
        case UInt8(ascii: "["):
            let opener = pos
            try enter(opener)
            defer { depth -= 1 }
            pos += 1
            var items: [Value] = []
            skipSpace()
            if pos < end && bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                return .vector(items)
            }
            while true {
                items.append(try readValue())
                skipSpace()
                guard pos < end else { throw ParseFailure(offset: opener, message: "unclosed '['") }
                if bytes[pos] == UInt8(ascii: "]") {
                    pos += 1
                    return .vector(items)
                }
                try expect(UInt8(ascii: ","), "expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""):
            var strings = EDNParser(bytes, from: pos, to: end)
            let s = try strings.readString()
            pos = strings.pos
            return .string(s)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), 0x30...0x39:
            let start = pos
            while pos < end, Self.isNumberByte(bytes[pos]) { pos += 1 }
            let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            if let i = Int64(token) { return .int(i) }
            guard token.last?.isNumber == true, token.first != "+", let d = Double(token) else {
                throw ParseFailure(offset: start, message: "malformed number '\(token)'")
            }
            return .double(d)
        default:
            throw ParseFailure(offset: pos, message: "unexpected character \(EDNParser.show(c))")
        }
    }

    /// Reads the next value; an object comes back as its key/value pairs in order, without hashing (the
    /// fast path for one operation per line).
    mutating func readEntry() throws(ParseFailure) -> OperationFields.Form {
        skipSpace()
        guard pos < end, bytes[pos] == UInt8(ascii: "{") else { return .other(try readValue()) }
        return .pairs(try readObjectPairs())
    }

    private mutating func readObjectPairs() throws(ParseFailure) -> [Value] {
        let opener = pos
        try enter(opener)
        defer { depth -= 1 }
        pos += 1
        var pairs: [Value] = []
        skipSpace()
        if pos < end && bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return pairs
        }
        while true {
            skipSpace()
            guard pos < end, bytes[pos] == UInt8(ascii: "\"") else {
                throw ParseFailure(offset: pos, message: "expected a string key in object")
            }
            var strings = EDNParser(bytes, from: pos, to: end)
            pairs.append(.string(try strings.readString()))
            pos = strings.pos
            try expect(UInt8(ascii: ":"), "expected ':' after object key")
            pairs.append(try readValue())
            skipSpace()
            guard pos < end else { throw ParseFailure(offset: opener, message: "unclosed '{'") }
            if bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return pairs
            }
            try expect(UInt8(ascii: ","), "expected ',' or '}' in object")
        }
    }

    private static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45
    }

    private mutating func enter(_ offset: Int) throws(ParseFailure) {
        depth += 1
        if depth > EDNParser.maxDepth {
            throw ParseFailure(offset: offset, message: "nesting deeper than \(EDNParser.maxDepth) levels")
        }
    }

    private mutating func expect(_ c: UInt8, _ message: String) throws(ParseFailure) {
        skipSpace()
        guard pos < end, bytes[pos] == c else { throw ParseFailure(offset: pos, message: message) }
        pos += 1
    }

    private mutating func literal(_ word: String, _ value: Value) throws(ParseFailure) -> Value {
        let start = pos
        for b in word.utf8 {
            guard pos < end, bytes[pos] == b else {
                throw ParseFailure(offset: start, message: "unexpected word, expected '\(word)'")
            }
            pos += 1
        }
        return value
    }
}
