/// One member of the cluster's configuration: its id, where to reach it, and whether it votes.
public struct Member: Sendable, Equatable {
    public var id: String
    /// Opaque to the core: the node layer stores `RAFTHOST:PORT,HTTPHOST:PORT` here so that every member learns
    /// how to reach a new one from the log itself.
    public var address: String
    /// A learner receives the log but neither votes nor counts towards a quorum.
    public var learner: Bool

    public init(id: String, address: String, learner: Bool = false) {
        self.id = id
        self.address = address
        self.learner = learner
    }
}

/// A cluster configuration: who votes and who only learns.
///
/// Configurations are log entries (single-server changes, Raft dissertation §4.1): each configuration entry
/// holds the whole new configuration, and a node uses the newest one in its log, committed or not. A snapshot
/// carries the configuration of its last index.
public struct Membership: Sendable, Equatable {
    /// Sorted by id, each id once.
    public private(set) var members: [Member]

    public init(_ members: [Member]) {
        var byID: [String: Member] = [:]
        for m in members { byID[m.id] = m }
        self.members = byID.values.sorted { $0.id < $1.id }
    }

    public var voters: [String] { members.filter { !$0.learner }.map(\.id) }
    public var learners: [String] { members.filter(\.learner).map(\.id) }
    public var ids: [String] { members.map(\.id) }

    public func member(_ id: String) -> Member? { members.first { $0.id == id } }
    public func isVoter(_ id: String) -> Bool { member(id).map { !$0.learner } ?? false }

    /// Votes or acknowledgements needed among the voters.
    public var quorum: Int { voters.count / 2 + 1 }

    /// The configuration after one single-server change, or nil when the change does not apply.
    public func applying(_ change: MembershipChange) -> Membership? {
        var next = members
        switch change {
        case let .addLearner(id, address):
            guard member(id) == nil else { return nil }
            next.append(Member(id: id, address: address, learner: true))
        case let .promote(id):
            guard let i = next.firstIndex(where: { $0.id == id }), next[i].learner else { return nil }
            next[i].learner = false
        case let .remove(id):
            guard let i = next.firstIndex(where: { $0.id == id }) else { return nil }
            // The last voter cannot go: nobody would be left to commit anything.
            if !next[i].learner && voters.count == 1 { return nil }
            next.remove(at: i)
        }
        return Membership(next)
    }

    // MARK: - Encoding

    /// First byte of a configuration entry's payload; client commands use 1–3 (`Command`), so the state
    /// machine sees a configuration entry as a no-op.
    static let entryTag: UInt8 = 0xC1

    /// The payload of a configuration entry holding this configuration.
    public func entryData() -> [UInt8] {
        var w = ByteWriter(capacity: 16 + members.count * 40)
        w.u8(Membership.entryTag)
        encode(into: &w)
        return w.bytes
    }

    func encode(into w: inout ByteWriter) {
        w.u32(UInt32(members.count))
        for m in members {
            w.string(m.id)
            w.string(m.address)
            w.u8(m.learner ? 1 : 0)
        }
    }

    static func decode(from r: inout ByteReader) throws(ByteReaderError) -> Membership {
        let n = try r.u32()
        var members: [Member] = []
        for _ in 0..<n {
            members.append(Member(id: try r.string(), address: try r.string(), learner: try r.u8() == 1))
        }
        return Membership(members)
    }

    /// The configuration in an entry's payload; nil for every other entry.
    public static func decode(entryData data: [UInt8]) -> Membership? {
        guard data.first == entryTag else { return nil }
        var r = ByteReader(data, offset: 1)
        return try? decode(from: &r)
    }
}

/// One single-server change, as the admin API asks for it.
public enum MembershipChange: Sendable, Equatable {
    /// Add a node that receives the log without voting; the leader promotes it once it has caught up.
    case addLearner(id: String, address: String)
    /// Make a caught-up learner a voter.
    case promote(id: String)
    /// Remove a voter or a learner.
    case remove(id: String)

    public var id: String {
        switch self {
        case .addLearner(let id, _), .promote(let id), .remove(let id): id
        }
    }
}

/// Why the leader refused a membership change.
public enum MembershipRefusal: Error, Sendable, Equatable {
    case notLeader
    /// The leader has not committed an entry of its term yet (the fix for the single-server pitfall).
    case leaderNotReady
    /// An earlier change is not committed yet: one change at a time.
    case changeInProgress(index: UInt64)
    /// The change does not apply to the current configuration (already a member, unknown id, last voter).
    case invalid(String)
}
