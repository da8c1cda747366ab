/// A parse failure at a byte offset; readers turn it into a located `HistoryError`.
struct ParseFailure: Error {
    var offset: Int
    var message: String
}

/// Reads EDN forms into `Value` trees: the subset Jepsen histories use, plus reasonable readings of the rest.
///
/// Lists and vectors both become `.vector`; symbols and characters become `.string`; ratios and big decimals
/// become `.double`; a tagged literal (`#inst "…"`, `#uuid "…"`, any `#tag form`) reads as its form.
struct EDNParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    let end: Int
    private var depth = 0
    /// Deeper nesting than this is refused rather than risking the stack on hostile input.
    static let maxDepth = 200

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.pos = start
        self.end = end ?? bytes.count
    }

    /// Skips whitespace, commas, `;` comments and `#_` discarded forms.
    mutating func skipSpace() throws(ParseFailure) {
        while pos < end {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x2C || c == 0x0C {
                pos += 1
            } else if c == UInt8(ascii: ";") {
                while pos < end && bytes[pos] != 0x0A { pos += 1 }
            } else if c == UInt8(ascii: "#") && pos + 1 < end && bytes[pos + 1] == UInt8(ascii: "_") {
                pos += 2
                _ = try readForm()
            } else {
                return
            }
        }
    }

    /// Whether only whitespace and comments are left.
    mutating func atEnd() throws(ParseFailure) -> Bool {
        try skipSpace()
        return pos >= end
    }

    /// Reads the next form (leading whitespace allowed).
    mutating func readForm() throws(ParseFailure) -> Value {
        try skipSpace()
        guard pos < end else { throw ParseFailure(offset: pos, message: "unexpected end of input, expected a value") }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "["), UInt8(ascii: "("):
            let close = c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
            pos += 1
            return .vector(try readSequence(close: close, opener: pos - 1))
        case UInt8(ascii: "{"):
            pos += 1
            return try readMap(opener: pos - 1)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: ":"):
            let start = pos
            pos += 1
            let name = readToken()
            guard !name.isEmpty else { throw ParseFailure(offset: start, message: "empty keyword ':'") }
            return .keyword(name)
        case UInt8(ascii: "\\"):
            return .string(try readCharacter())
        case UInt8(ascii: "#"):
            return try readDispatch()
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw ParseFailure(offset: pos, message: "unmatched '\(Character(UnicodeScalar(c)))'")
        case 0x30...0x39, UInt8(ascii: "-"):
            if let number = readPlainInteger() { return .int(number) }
            let start = pos
            let token = readToken()
            return try atom(token, at: start)
        default:
            let start = pos
            let token = readToken()
            guard !token.isEmpty else {
                throw ParseFailure(offset: start, message: "unexpected character \(Self.show(c))")
            }
            return try atom(token, at: start)
        }
    }

    // MARK: - Collections

    private mutating func enter(_ offset: Int) throws(ParseFailure) {
        depth += 1
        if depth > Self.maxDepth {
            throw ParseFailure(offset: offset, message: "nesting deeper than \(Self.maxDepth) levels")
        }
    }

    mutating func readSequence(close: UInt8, opener: Int) throws(ParseFailure) -> [Value] {
        try enter(opener)
        defer { depth -= 1 }
        var items: [Value] = []
        while true {
            try skipSpace()
            guard pos < end else {
                throw ParseFailure(offset: opener, message: "unclosed '\(Character(UnicodeScalar(bytes[opener])))'")
            }
            let c = bytes[pos]
            if c == close {
                pos += 1
                return items
            }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                throw ParseFailure(offset: pos, message: "found '\(Character(UnicodeScalar(c)))' where "
                    + "'\(Character(UnicodeScalar(close)))' should close the '\(Character(UnicodeScalar(bytes[opener])))'")
            }
            items.append(try readForm())
        }
    }

    private mutating func readMap(opener: Int) throws(ParseFailure) -> Value {
        let items = try readSequence(close: UInt8(ascii: "}"), opener: opener)
        guard items.count % 2 == 0 else {
            throw ParseFailure(offset: opener, message: "map literal has an odd number of forms (\(items.count))")
        }
        var map: [Value: Value] = [:]
        map.reserveCapacity(items.count / 2)
        var i = 0
        while i < items.count {
            map[items[i]] = items[i + 1]
            i += 2
        }
        return .map(map)
    }

    /// Reads the next form; a map comes back as its key/value pairs in order, without hashing (the fast path
    /// for the thousands of op maps in a history).
    mutating func readEntry() throws(ParseFailure) -> OperationFields.Form {
        try skipSpace()
        guard pos < end, bytes[pos] == UInt8(ascii: "{") else { return .other(try readForm()) }
        let opener = pos
        pos += 1
        let items = try readSequence(close: UInt8(ascii: "}"), opener: opener)
        guard items.count % 2 == 0 else {
            throw ParseFailure(offset: opener, message: "map literal has an odd number of forms (\(items.count))")
        }
        return .pairs(items)
    }

    private mutating func readDispatch() throws(ParseFailure) -> Value {
        let start = pos
        pos += 1
        guard pos < end else { throw ParseFailure(offset: start, message: "'#' at end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            return .set(Set(try readSequence(close: UInt8(ascii: "}"), opener: pos - 1)))
        case UInt8(ascii: "#"):
            pos += 1
            let token = readToken()
            switch token {
            case "Inf": return .double(.infinity)
            case "-Inf": return .double(-.infinity)
            case "NaN": return .double(.nan)
            default: throw ParseFailure(offset: start, message: "unknown symbolic value '##\(token)'")
            }
        case UInt8(ascii: "\""):
            return .string(try readString())  // a regex: keep its source
        case UInt8(ascii: ":"):
            pos += 1
            _ = readToken()  // namespaced map: the keys keep their short names
            return try readForm()
        default:
            let tag = readToken()
            guard !tag.isEmpty else {
                throw ParseFailure(offset: start, message: "unexpected character after '#': \(Self.show(bytes[pos]))")
            }
            return try readForm()  // #inst, #uuid, #jepsen.history.Op…: the tagged form carries the data
        }
    }

    // MARK: - Atoms

    static func isDelimiter(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x0A, 0x09, 0x0D, 0x0C, 0x2C, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\""), UInt8(ascii: ";"):
            true
        default: false
        }
    }

    /// An integer of up to 18 digits ending at a delimiter, read without building a string; nil (and the
    /// position unchanged) for anything else.
    private mutating func readPlainInteger() -> Int64? {
        var i = pos
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digitsStart = i
        var value: Int64 = 0
        while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39, i - digitsStart < 18 {
            value = value * 10 + Int64(bytes[i] - 0x30)
            i += 1
        }
        guard i > digitsStart, i == end || Self.isDelimiter(bytes[i]) else { return nil }
        pos = i
        return negative ? -value : value
    }

    private mutating func readToken() -> String {
        let start = pos
        while pos < end && !Self.isDelimiter(bytes[pos]) { pos += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    }

    private func atom(_ token: String, at offset: Int) throws(ParseFailure) -> Value {
        let u = token.utf8
        let first = u.first!
        let second = u.count > 1 ? u[u.index(after: u.startIndex)] : 0
        let isDigit = { (c: UInt8) in c >= 0x30 && c <= 0x39 }
        if isDigit(first) || ((first == UInt8(ascii: "-") || first == UInt8(ascii: "+")) && isDigit(second)) {
            guard let number = Self.number(token) else {
                throw ParseFailure(offset: offset, message: "malformed number '\(token)'")
            }
            return number
        }
        switch token {
        case "nil": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return .string(token)  // a symbol
        }
    }

    static func number(_ token: String) -> Value? {
        var text = Substring(token)
        if text.hasSuffix("N") {
            text = text.dropLast()
            if let v = Int64(text.hasPrefix("+") ? text.dropFirst() : text) { return .int(v) }
            return Double(text).map(Value.double)
        }
        if text.hasSuffix("M") { text = text.dropLast() }
        if let v = Int64(text.hasPrefix("+") ? text.dropFirst() : text) { return .int(v) }
        if let slash = text.firstIndex(of: "/") {
            guard let n = Double(text[..<slash]), let d = Double(text[text.index(after: slash)...]), d != 0
            else { return nil }
            return .double(n / d)
        }
        // Double(String) also accepts "inf", "nan" and hex; EDN numbers are only these characters.
        guard text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x65 || $0 == 0x45
            || $0 == 0x2B || $0 == 0x2D }), let d = Double(text)
        else { return nil }
        return .double(d)
    }

    mutating func readString() throws(ParseFailure) -> String {
        let start = pos
        pos += 1
        var plain = pos
        while plain < end && bytes[plain] != UInt8(ascii: "\"") && bytes[plain] != UInt8(ascii: "\\") { plain += 1 }
        if plain < end && bytes[plain] == UInt8(ascii: "\"") {
            let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[pos..<plain]), as: UTF8.self)
            pos = plain + 1
            return s
        }
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[pos..<plain]))
        pos = plain
        while pos < end {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                pos += 1
                continue
            }
            guard pos + 1 < end else { break }
            let e = bytes[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "u"):
                guard let scalar = hexScalar(at: pos) else {
                    throw ParseFailure(offset: pos - 2, message: "malformed \\u escape in string")
                }
                pos += 4
                out.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw ParseFailure(offset: pos - 2, message: "unknown escape '\\\(Character(UnicodeScalar(e)))' in string")
            }
        }
        throw ParseFailure(offset: start, message: "unterminated string")
    }

    private func hexScalar(at offset: Int) -> UnicodeScalar? {
        guard offset + 4 <= end else { return nil }
        var v: UInt32 = 0
        for i in offset..<offset + 4 {
            guard let d = Self.hexDigit(bytes[i]) else { return nil }
            v = v << 4 | d
        }
        return UnicodeScalar(v) ?? UnicodeScalar(0xFFFD)
    }

    static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        default: nil
        }
    }

    private mutating func readCharacter() throws(ParseFailure) -> String {
        let start = pos
        pos += 1
        guard pos < end else { throw ParseFailure(offset: start, message: "'\\' at end of input") }
        // A delimiter right after the backslash is the character itself (`\(`, `\ `).
        if Self.isDelimiter(bytes[pos]) {
            pos += 1
            return String(Character(UnicodeScalar(bytes[pos - 1])))
        }
        let token = readToken()
        switch token {
        case "newline": return "\n"
        case "space": return " "
        case "tab": return "\t"
        case "return": return "\r"
        case "formfeed": return "\u{0C}"
        case "backspace": return "\u{08}"
        default:
            if token.count == 1 { return token }
            if token.hasPrefix("u"), token.utf8.count == 5, let v = UInt32(token.dropFirst(), radix: 16),
                let scalar = UnicodeScalar(v)
            {
                return String(Character(scalar))
            }
            throw ParseFailure(offset: start, message: "unknown character literal '\\\(token)'")
        }
    }

    static func show(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? "'\(Character(UnicodeScalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }
}
