/// One record of the write-ahead log, framed on disk as `[len u32][crc32c u32][type u8][payload]`
/// where `len` counts the payload and the checksum covers type and payload.
enum WALRecord: Equatable {
    /// The node's term and vote from here on.
    case hardState(HardState)
    /// Entries starting at the first one's index; replay drops whatever the log held from there on.
    case entries([LogEntry])
    /// A snapshot now covers the log through (`index`, `term`); earlier entries are gone.
    case snapshot(index: UInt64, term: UInt64)

    static let headerSize = 9

    /// Appends the framed record to `w`.
    func encode(into w: inout ByteWriter) {
        var body = ByteWriter(capacity: 64)
        let type: UInt8
        switch self {
        case .hardState(let hs):
            type = 1
            body.u64(hs.term)
            body.string(hs.vote ?? "")
        case .entries(let entries):
            type = 2
            body.u32(UInt32(entries.count))
            for e in entries {
                body.u64(e.index)
                body.u64(e.term)
                body.blob(e.data)
            }
        case .snapshot(let index, let term):
            type = 3
            body.u64(index)
            body.u64(term)
        }
        w.u32(UInt32(body.bytes.count))
        w.u32(CRC32C.checksum(body.bytes, crc: CRC32C.checksum(CollectionOfOne(type))))
        w.u8(type)
        w.raw(body.bytes)
    }

    /// Outcome of reading a record at some offset.
    enum Parse {
        case record(WALRecord, next: Int)
        /// The record runs past the end of the file: a write the crash interrupted.
        case incomplete
        /// The bytes are all there but the checksum or the layout is wrong.
        case bad(next: Int?)
    }

    /// Reads the record at `offset` of `bytes`.
    static func parse(_ bytes: [UInt8], at offset: Int) -> Parse {
        var r = ByteReader(bytes, offset: offset)
        guard let len = try? r.u32(), let crc = try? r.u32(), let type = try? r.u8() else { return .incomplete }
        let end = offset + headerSize + Int(len)
        guard end <= bytes.count else { return .incomplete }
        let sum = bytes.withUnsafeBytes { p in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[(offset + 8)..<end]))
        }
        guard sum == crc else { return .bad(next: len == 0 ? nil : end) }
        var body = ByteReader(Array(bytes[(offset + headerSize)..<end]))
        do throws(ByteReaderError) {
            switch type {
            case 1:
                let term = try body.u64()
                let vote = try body.string()
                return .record(.hardState(HardState(term: term, vote: vote.isEmpty ? nil : vote)), next: end)
            case 2:
                let n = try body.u32()
                var entries: [LogEntry] = []
                entries.reserveCapacity(Int(n))
                for _ in 0..<n {
                    entries.append(LogEntry(index: try body.u64(), term: try body.u64(), data: try body.blob()))
                }
                return .record(.entries(entries), next: end)
            case 3:
                return .record(.snapshot(index: try body.u64(), term: try body.u64()), next: end)
            default:
                return .bad(next: end)
            }
        } catch {
            return .bad(next: end)
        }
    }
}
