import Glibc

/// The common case of `JSONLCodec.decodeLine`: a line exactly as chaos's recorder writes it
/// (`{"index":0,"time":1,"process":3,"type":"invoke","f":"cas","key":"k1","value":[1,2]}`), read straight into an
/// `Operation` — field names compared as bytes, integers and plain strings read in place.
///
/// The general reader builds every field name and number as a `String` first; on a long run's history, read several
/// times while judging, that was most of the time of each pass. Anything this path does not expect (an escape in a
/// name, a field it does not know, a number that is not an integer, spaces) makes it answer nil, and the general
/// reader takes the line, with its errors and their places.
enum JSONLFastPath {
    static func operation(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to stop: Int) -> Operation? {
        var reader = FlatJSONReader(bytes: bytes, pos: start, end: stop)
        var index: Int64?, time: Int64?, process: Int64?, type: OpType?, f: String?
        var key: Value?, value: Value?, error: String?, node: String?
        let read = reader.object { name, reader in
            switch name.count {
            case 1 where name[0] == UInt8(ascii: "f"): f = reader.plainText(); return f != nil
            case 3 where FlatJSONReader.equal(name, "key"): key = reader.value(); return key != nil
            case 4 where FlatJSONReader.equal(name, "time"): time = reader.integer(); return time != nil
            case 4 where FlatJSONReader.equal(name, "node"): node = reader.plainText(); return node != nil
            case 4 where FlatJSONReader.equal(name, "type"):
                guard let raw = reader.plainString() else { return false }
                type = FlatJSONReader.equal(raw, "invoke") ? .invoke : FlatJSONReader.equal(raw, "ok") ? .ok
                    : FlatJSONReader.equal(raw, "fail") ? .fail : FlatJSONReader.equal(raw, "info") ? .info : nil
                return type != nil
            case 5 where FlatJSONReader.equal(name, "index"): index = reader.integer(); return index != nil
            case 5 where FlatJSONReader.equal(name, "value"): value = reader.value(); return value != nil
            case 5 where FlatJSONReader.equal(name, "error"): error = reader.plainText(); return error != nil
            case 7 where FlatJSONReader.equal(name, "process"): process = reader.integer(); return process != nil
            default: return false
            }
        }
        guard read, let index, let i = Int(exactly: index), let time, let process, let type, let f else { return nil }
        return Operation(index: i, time: time, process: Int(truncatingIfNeeded: process), type: type, f: f, key: key,
                         value: value ?? .null, error: error, node: node)
    }
}

/// Reads the pieces of one flat JSON line in place (see `JSONLFastPath`); every method answers nil for anything
/// it does not expect, leaving the line to a general reader.
struct FlatJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    let end: Int

    mutating func take(_ byte: UInt8) -> Bool {
        guard pos < end, bytes[pos] == byte else { return false }
        pos += 1
        return true
    }

    /// A non-empty `{"name":value,...}` filling the rest of the line, without spaces: `field` reads each value (the
    /// reader stands after the colon) and answers false for a name or value it does not take.
    mutating func object(_ field: (_ name: UnsafeBufferPointer<UInt8>, _ reader: inout FlatJSONReader) -> Bool)
        -> Bool {
        guard take(UInt8(ascii: "{")), !take(UInt8(ascii: "}")) else { return false }
        while true {
            guard let name = plainString(), take(UInt8(ascii: ":")), field(name, &self) else { return false }
            if take(UInt8(ascii: "}")) { return pos == end }
            guard take(UInt8(ascii: ",")) else { return false }
        }
    }

    /// The bytes between quotes when they hold no escape.
    mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = pos
        while pos < end {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<pos - 1])
            }
            if c == UInt8(ascii: "\\") { return nil }
            pos += 1
        }
        return nil
    }

    mutating func plainText() -> String? {
        plainString().map { String(decoding: $0, as: UTF8.self) }
    }

    /// `-?[0-9]+` that fits an Int64 and is not followed by a fraction or exponent.
    mutating func integer() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        let start = pos
        var magnitude: UInt64 = 0
        while pos < end, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[pos] - 0x30))
            guard !o1, !o2 else { return nil }
            magnitude = sum
            pos += 1
        }
        guard pos > start, pos - start == 1 || bytes[start] != 0x30 else { return nil }
        if pos < end, bytes[pos] == UInt8(ascii: ".") || bytes[pos] == UInt8(ascii: "e")
            || bytes[pos] == UInt8(ascii: "E") { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Any JSON value: integers, null and plain strings here, the rest through the general parser.
    mutating func value() -> Value? {
        guard pos < end else { return nil }
        switch bytes[pos] {
        case UInt8(ascii: "\""):
            let mark = pos
            if let text = plainText() { return .string(text) }
            pos = mark
        case UInt8(ascii: "-"), 0x30...0x39:
            let mark = pos
            if let number = integer() { return .int(number) }
            pos = mark
        case UInt8(ascii: "n"):
            if pos + 4 <= end, bytes[pos + 1] == UInt8(ascii: "u"), bytes[pos + 2] == UInt8(ascii: "l"),
               bytes[pos + 3] == UInt8(ascii: "l") {
                pos += 4
                return .null
            }
        default: break
        }
        var parser = JSONParser(bytes, from: pos, to: end)
        guard let parsed = try? parser.readValue() else { return nil }
        pos = parser.pos
        return parsed
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress!, text.utf8Start, bytes.count) == 0
    }
}
