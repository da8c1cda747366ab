import Foundation
import Testing
@testable import RaftNode

/// The WAL, snapshots and the data-dir identity, on a real temp directory.
@Suite struct StorageTests {
    let dir = NSTemporaryDirectory() + "raft-storage-" + UUID().uuidString
    let meta = NodeMeta(nodeID: "n1", members: ["n1", "n2", "n3"])

    func entries(_ range: ClosedRange<UInt64>, term: UInt64) -> [LogEntry] {
        range.map { LogEntry(index: $0, term: term, data: Array("e\($0)t\(term)".utf8)) }
    }

    func segmentPath() throws -> String {
        let names = FileIO.list(dir + "/wal").filter { $0.hasPrefix("wal-") }.sorted()
        return dir + "/wal/" + (try #require(names.last))
    }

    @Test func recoversHardStateAndEntries() throws {
        do {
            let (_, _, wal) = try DiskStorage.open(dataDir: dir, meta: meta)
            try wal.append([.hardState(HardState(term: 3, vote: "n2")), .entries(entries(1...10, term: 3))])
        }
        let (_, rec, _) = try DiskStorage.open(dataDir: dir, meta: meta)
        #expect(rec.hardState == HardState(term: 3, vote: "n2"))
        #expect(rec.entries == entries(1...10, term: 3))
        #expect(rec.truncatedBytes == 0)
    }

    @Test func replayAppliesConflictTruncation() throws {
        do {
            let (_, _, wal) = try DiskStorage.open(dataDir: dir, meta: meta)
            try wal.append([.entries(entries(1...5, term: 1))])
            try wal.append([.entries(entries(3...4, term: 2))])
        }
        let (_, rec, _) = try DiskStorage.open(dataDir: dir, meta: meta)
        #expect(rec.entries == entries(1...2, term: 1) + entries(3...4, term: 2))
    }

    /// A crash in the middle of a write leaves a partial last record: it is cut off, the rest survives.
    @Test(arguments: [1, 8, 20])
    func tornTailIsTruncated(keptBytesOfLastRecord: Int) throws {
        do {
            let (_, _, wal) = try DiskStorage.open(dataDir: dir, meta: meta)
            try wal.append([.entries(entries(1...5, term: 1))])
        }
        let path = try segmentPath()
        let goodSize = try FileIO.readFile(path).count
        var w = ByteWriter()
        WALRecord.entries(entries(6...9, term: 1)).encode(into: &w)
        let fh = try #require(FileHandle(forWritingAtPath: path))
        fh.seekToEndOfFile()
        fh.write(Data(w.bytes.prefix(keptBytesOfLastRecord)))
        fh.closeFile()

        let (_, rec, wal) = try DiskStorage.open(dataDir: dir, meta: meta)
        #expect(rec.entries == entries(1...5, term: 1))
        #expect(rec.truncatedBytes == keptBytesOfLastRecord)
        #expect(try FileIO.readFile(path).count == goodSize)
        // The log keeps working after the cut.
        try wal.append([.entries(entries(6...7, term: 2))])
        let (_, again, _) = try DiskStorage.open(dataDir: dir, meta: meta)
        #expect(again.entries == entries(1...5, term: 1) + entries(6...7, term: 2))
    }

    /// A checksum failure with valid records after it is damage to acknowledged data: refuse to start.
    @Test func corruptRecordBelowTailRefusesToStart() throws {
        do {
            let (_, _, wal) = try DiskStorage.open(dataDir: dir, meta: meta)
            try wal.append([.entries(entries(1...3, term: 1))])
            try wal.append([.entries(entries(4...6, term: 1))])
            try wal.append([.entries(entries(7...9, term: 1))])
        }
        let path = try segmentPath()
        var bytes = try FileIO.readFile(path)
        // Find the second entries record and flip a byte of its payload.
        var offset = 0
        var records: [Int] = []
        while case .record(_, let next) = WALRecord.parse(bytes, at: offset) {
            records.append(offset)
            offset = next
        }
        let victim = records[records.count - 2]
        bytes[victim + WALRecord.headerSize + 6] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try DiskStorage.open(dataDir: dir, meta: meta)
        } throws: { error in
            let e = error as? RaftNodeError
            return e?.code == .corrupt
                && e!.message == "data dir \(dir): corrupt WAL record at offset \(victim) in \(path); refusing to start"
        }
    }

    @Test func snapshotMarkDropsOldSegmentsAndRecoveryUsesSnapshot() throws {
        do {
            let (storage, _, _) = try DiskStorage.open(dataDir: dir, meta: meta)
            let wal = try WAL(dir: storage.walDir, recovered: WALRecovery.recover(dir: storage.walDir, dataDir: dir),
                              segmentLimit: 200)
            for i in stride(from: UInt64(1), through: 91, by: 10) {
                try wal.append([.entries(entries(i...(i + 9), term: 1))])
            }
            let before = FileIO.list(storage.walDir).count
            #expect(before >= 10)
            try storage.snapshots.save(Snapshot(index: 80, term: 1, data: [1, 2, 3]))
            try wal.markSnapshot(index: 80, term: 1)
            // Segments holding only entries up to 80 are gone; the one with 81-90 stays.
            #expect(FileIO.list(storage.walDir).count <= before - 7)
        }
        let (_, rec, _) = try DiskStorage.open(dataDir: dir, meta: meta)
        #expect(rec.snapshot == Snapshot(index: 80, term: 1, data: [1, 2, 3]))
        #expect(rec.entries == entries(81...100, term: 1))
    }

    @Test(arguments: [
        (NodeMeta(nodeID: "n2", members: ["n1", "n2", "n3"]), "belongs to node 'n1', not 'n2'"),
        (NodeMeta(nodeID: "n1", members: ["n1", "n2", "n4"]), "belongs to cluster"),
    ])
    func dataDirOfAnotherNodeOrClusterIsRefused(other: NodeMeta, expected: String) throws {
        _ = try DiskStorage.open(dataDir: dir, meta: meta)
        let before = try FileIO.readFile(dir + "/meta")
        #expect {
            _ = try DiskStorage.open(dataDir: dir, meta: other)
        } throws: { error in
            (error as? RaftNodeError)?.code == .dataDir && "\(error)".contains(expected)
        }
        #expect(try FileIO.readFile(dir + "/meta") == before)
    }
}
