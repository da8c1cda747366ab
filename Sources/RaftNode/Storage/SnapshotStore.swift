#if canImport(Glibc)
import Glibc
#endif

/// State-machine snapshots in `DIR/snap`, one file per snapshot: `snap-<index>-<term>.bin` holding
/// `[crc32c u32][data]`. Written to a temp file, fsynced, then renamed, so a file that exists is complete.
struct SnapshotStore: Sendable {
    let dir: String

    static func fileName(index: UInt64, term: UInt64) -> String {
        "snap-\(hex(index))-\(hex(term)).bin"
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }

    /// Saves `snapshot` durably.
    func save(_ snapshot: Snapshot) throws {
        var w = ByteWriter(capacity: snapshot.data.count + 4)
        w.u32(CRC32C.checksum(snapshot.data))
        w.raw(snapshot.data)
        try FileIO.writeAtomically(dir + "/" + SnapshotStore.fileName(index: snapshot.index, term: snapshot.term),
                                   w.bytes, dir: dir)
    }

    /// Positions of the snapshots on disk, newest first.
    func list() -> [(index: UInt64, term: UInt64)] {
        FileIO.list(dir).compactMap { name -> (UInt64, UInt64)? in
            guard name.hasPrefix("snap-"), name.hasSuffix(".bin") else { return nil }
            let parts = name.dropFirst(5).dropLast(4).split(separator: "-")
            guard parts.count == 2, let i = UInt64(parts[0], radix: 16), let t = UInt64(parts[1], radix: 16) else {
                return nil
            }
            return (i, t)
        }.sorted { $0.0 > $1.0 }
    }

    /// Reads one snapshot and checks its checksum.
    func load(index: UInt64, term: UInt64) throws -> Snapshot {
        let path = dir + "/" + SnapshotStore.fileName(index: index, term: term)
        let bytes = try FileIO.readFile(path)
        guard bytes.count >= 4 else {
            throw RaftNodeError(.corrupt, "snapshot \(path) is truncated; refusing to start")
        }
        var r = ByteReader(bytes)
        let crc = (try? r.u32()) ?? 0
        let data = Array(bytes[4...])
        guard CRC32C.checksum(data) == crc else {
            throw RaftNodeError(.corrupt, "snapshot \(path) fails its checksum; refusing to start")
        }
        return Snapshot(index: index, term: term, data: data)
    }

    /// Deletes all but the `keep` newest snapshots (and leftover temp files).
    func prune(keep: Int = 2) {
        for s in list().dropFirst(keep) {
            unlink(dir + "/" + SnapshotStore.fileName(index: s.index, term: s.term))
        }
    }
}
