/// The in-memory log: entries after the last snapshot, addressed by Raft index.
///
/// Index `snapshotIndex` is the last compacted entry; its term is kept so the prevLogTerm check still works
/// right after a snapshot.
struct RaftLog {
    private(set) var snapshotIndex: UInt64 = 0
    private(set) var snapshotTerm: UInt64 = 0
    private(set) var entries: [LogEntry] = []

    var firstIndex: UInt64 { snapshotIndex + 1 }
    var lastIndex: UInt64 { snapshotIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? snapshotTerm }

    /// The term of the entry at `index`, or nil when the index is compacted away or beyond the end.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        if index < snapshotIndex || index > lastIndex { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    /// True when the log holds an entry at `index` with `term` (index 0 always matches).
    func matches(index: UInt64, term: UInt64) -> Bool {
        self.term(at: index) == term
    }

    /// The entry at `index`; the index must be in `firstIndex...lastIndex`.
    func entry(at index: UInt64) -> LogEntry {
        entries[Int(index - snapshotIndex - 1)]
    }

    /// Entries in `from...to` (clamped to what is held), at most `maxBytes` of payload but at least one.
    func slice(from: UInt64, to: UInt64, maxBytes: Int = .max) -> [LogEntry] {
        let lo = max(from, firstIndex)
        let hi = min(to, lastIndex)
        guard lo <= hi else { return [] }
        var out: [LogEntry] = []
        var bytes = 0
        for i in Int(lo - snapshotIndex - 1)...Int(hi - snapshotIndex - 1) {
            let e = entries[i]
            bytes += e.data.count + 24
            if !out.isEmpty && bytes > maxBytes { break }
            out.append(e)
        }
        return out
    }

    mutating func append(_ entry: LogEntry) {
        precondition(entry.index == lastIndex + 1, "log append out of order")
        entries.append(entry)
    }

    /// Drops every entry at `index` and after.
    mutating func truncate(from index: UInt64) {
        guard index <= lastIndex else { return }
        entries.removeSubrange(Int(index - snapshotIndex - 1)...)
    }

    /// Forgets entries up to `index` (which must be held) because a snapshot now covers them.
    mutating func compact(through index: UInt64, term: UInt64) {
        guard index > snapshotIndex else { return }
        if index >= lastIndex {
            entries.removeAll(keepingCapacity: false)
        } else {
            entries.removeFirst(Int(index - snapshotIndex))
        }
        snapshotIndex = index
        snapshotTerm = term
    }

    /// Replaces the whole log by a snapshot position (the follower's log does not contain it).
    mutating func reset(toSnapshot index: UInt64, term: UInt64) {
        entries.removeAll()
        snapshotIndex = index
        snapshotTerm = term
    }

    /// Fills in the term of the snapshot position once it is known (WAL recovery across dropped segments).
    mutating func setSnapshotTerm(_ term: UInt64) {
        snapshotTerm = term
    }

    /// The first index of the run of entries that share the term of `index`, not going below `floor`.
    /// Lets a rejecting follower make the leader skip a whole conflicting term in one round trip.
    func firstIndexOfTerm(at index: UInt64, floor: UInt64) -> UInt64 {
        guard let t = term(at: index) else { return index }
        var i = index
        while i > max(floor, firstIndex), term(at: i - 1) == t { i -= 1 }
        return i
    }
}
