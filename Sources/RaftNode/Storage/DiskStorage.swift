/// A node's data directory: `meta`, `wal/` segments and `snap/` snapshots, opened and recovered.
struct DiskStorage {
    let dataDir: String
    let walDir: String
    let snapshots: SnapshotStore

    /// What a restarting node resumes from.
    struct Recovered {
        var hardState: HardState
        var snapshot: Snapshot?
        var entries: [LogEntry]
        var truncatedBytes: Int
    }

    /// Checks the identity, creates the layout on first use and replays what is on disk.
    /// - Throws: `RaftNodeError` when the dir belongs to another node or cluster, or is corrupt.
    static func open(dataDir: String, meta: NodeMeta) throws -> (DiskStorage, Recovered, WAL) {
        let known = try meta.check(dataDir: dataDir)
        let storage = DiskStorage(dataDir: dataDir, walDir: dataDir + "/wal",
                                  snapshots: SnapshotStore(dir: dataDir + "/snap"))
        if !known {
            try FileIO.mkdirs(dataDir)
            try FileIO.writeAtomically(dataDir + "/meta", Array(meta.fileText.utf8), dir: dataDir)
        }
        try FileIO.mkdirs(storage.walDir)
        try FileIO.mkdirs(storage.snapshots.dir)
        let replay = try WALRecovery.recover(dir: storage.walDir, dataDir: dataDir)
        var log = replay.log
        var snapshot: Snapshot?
        for s in storage.snapshots.list() {
            if s.index == log.snapshotIndex && s.term == log.snapshotTerm {
                snapshot = try storage.snapshots.load(index: s.index, term: s.term)
                break
            }
            if s.index > log.snapshotIndex && log.matches(index: s.index, term: s.term) {
                snapshot = try storage.snapshots.load(index: s.index, term: s.term)
                log.compact(through: s.index, term: s.term)
                break
            }
        }
        if snapshot == nil && log.snapshotIndex > 0 {
            throw RaftNodeError(.corrupt, "data dir \(dataDir): the WAL starts after index \(log.snapshotIndex) "
                + "but no snapshot file covers it; refusing to start")
        }
        let wal = try WAL(dir: storage.walDir, recovered: replay)
        let recovered = Recovered(hardState: replay.hardState, snapshot: snapshot, entries: log.entries,
                                  truncatedBytes: replay.truncatedBytes)
        return (storage, recovered, wal)
    }
}
