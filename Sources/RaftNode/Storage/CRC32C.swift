/// CRC-32C (Castagnoli), the checksum of every WAL record and snapshot file.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// Checksum of `bytes`, continuing from `crc` (0 to start).
    static func checksum<C: Sequence>(_ bytes: C, crc: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer, crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }
}

/// Little-endian encoding helpers shared by the WAL, snapshots and the wire codec.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func blob(_ v: [UInt8]) { u32(UInt32(v.count)); bytes.append(contentsOf: v) }
    mutating func string(_ v: String) { blob(Array(v.utf8)) }
    mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
}

/// Reads what `ByteWriter` wrote; every read checks bounds and throws on short input.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int) throws(ByteReaderError) -> ArraySlice<UInt8> {
        guard n >= 0, remaining >= n else { throw ByteReaderError() }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8() throws(ByteReaderError) -> UInt8 { try take(1).first! }
    mutating func u16() throws(ByteReaderError) -> UInt16 { UInt16(try int(2)) }
    mutating func u32() throws(ByteReaderError) -> UInt32 { UInt32(try int(4)) }
    mutating func u64() throws(ByteReaderError) -> UInt64 { try int(8) }
    mutating func blob() throws(ByteReaderError) -> [UInt8] { Array(try take(Int(try u32()))) }
    mutating func string() throws(ByteReaderError) -> String { String(decoding: try blob(), as: UTF8.self) }

    private mutating func int(_ n: Int) throws(ByteReaderError) -> UInt64 {
        let s = try take(n)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
}

/// Input ended before a field did.
struct ByteReaderError: Error {}
