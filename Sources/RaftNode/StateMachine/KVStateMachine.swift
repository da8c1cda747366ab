/// The replicated state: a key-value map with compare-and-set, and an append-only log whose entries are
/// numbered by the Raft index that appended them.
struct KVStateMachine {
    private(set) var map: [String: String] = [:]
    private(set) var appended: [(index: UInt64, data: [UInt8])] = []
    private(set) var appliedIndex: UInt64 = 0
    private(set) var appliedTerm: UInt64 = 0
    /// The newest committed configuration, carried in snapshots (nil until the first change).
    private(set) var membership: Membership?

    /// Applies one committed entry (in index order).
    mutating func apply(_ entry: LogEntry) -> ApplyOutcome {
        appliedIndex = entry.index
        appliedTerm = entry.term
        switch Command.decode(entry.data) {
        case let .put(key, value)?:
            map[key] = value
            return ApplyOutcome(index: entry.index, ok: true)
        case let .cas(key, from, to)?:
            guard map[key] == from else { return ApplyOutcome(index: entry.index, ok: false) }
            map[key] = to
            return ApplyOutcome(index: entry.index, ok: true)
        case let .append(data)?:
            appended.append((entry.index, data))
            return ApplyOutcome(index: entry.index, ok: true)
        case nil:
            if let m = Membership.decode(entryData: entry.data) { membership = m }
            return ApplyOutcome(index: entry.index, ok: true)
        }
    }

    func get(_ key: String) -> String? { map[key] }

    /// The whole state as bytes, for a snapshot.
    func serialize() -> [UInt8] {
        var w = ByteWriter(capacity: 64 + map.count * 32)
        w.u64(appliedIndex)
        w.u64(appliedTerm)
        w.u32(UInt32(map.count))
        for (k, v) in map.sorted(by: { $0.key < $1.key }) {
            w.string(k)
            w.string(v)
        }
        w.u32(UInt32(appended.count))
        for a in appended {
            w.u64(a.index)
            w.blob(a.data)
        }
        // A trailer, so snapshots written before membership changes existed still read.
        if let membership {
            w.u8(1)
            membership.encode(into: &w)
        }
        return w.bytes
    }

    /// Rebuilds the state from `serialize()` output.
    /// - Throws: `RaftNodeError.corrupt` when the bytes do not parse.
    init(snapshot bytes: [UInt8]) throws {
        var r = ByteReader(bytes)
        do throws(ByteReaderError) {
            appliedIndex = try r.u64()
            appliedTerm = try r.u64()
            let n = try r.u32()
            map.reserveCapacity(Int(n))
            for _ in 0..<n { map[try r.string()] = try r.string() }
            let m = try r.u32()
            for _ in 0..<m { appended.append((try r.u64(), try r.blob())) }
            if r.remaining > 0, try r.u8() == 1 { membership = try Membership.decode(from: &r) }
        } catch {
            throw RaftNodeError(.corrupt, "snapshot data does not parse at byte \(r.offset) of \(bytes.count)")
        }
    }

    init() {}
}

extension KVStateMachine {
    /// The configuration a snapshot carries, for the Raft core (nil when none or unreadable).
    static func membership(inSnapshot data: [UInt8]) -> Membership? {
        (try? KVStateMachine(snapshot: data))?.membership
    }
}
