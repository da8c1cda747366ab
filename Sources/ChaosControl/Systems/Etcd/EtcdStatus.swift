import Synchronization

/// etcd's answer to `POST /v3/maintenance/status`, as chaos reads it.
///
/// The JSON gateway sends 64-bit numbers as strings and omits fields that are zero (`leader` while there is
/// none, `revision` before the first write), so every field here has a default.
struct EtcdStatusReply: Sendable, Hashable {
    /// The answering member's own id (`header.member_id`).
    var memberID: String
    /// The leader's member id; nil while the member knows no leader.
    var leaderID: String?
    /// `raftIndex`: the member's commit index.
    var raftIndex: Int64
    var raftAppliedIndex: Int64
    var raftTerm: Int64
    /// The key-value store's revision (`header.revision`).
    var revision: Int64

    /// - Returns: nil when `json` is not a status reply (no member id).
    init?(json: [String: Any]) {
        let header = json["header"] as? [String: Any] ?? [:]
        guard let member = header["member_id"] as? String else { return nil }
        memberID = member
        let leader = json["leader"] as? String
        leaderID = leader == "0" ? nil : leader
        raftIndex = int64(json["raftIndex"]) ?? 0
        raftAppliedIndex = int64(json["raftAppliedIndex"]) ?? 0
        raftTerm = int64(json["raftTerm"]) ?? int64(header["raft_term"]) ?? 0
        revision = int64(header["revision"]) ?? 0
    }

    /// The status in chaos's terms, with the leader named by `nodeID(memberID)`.
    func nodeStatus(nodeID: (String) -> String?) -> NodeStatus {
        let role: NodeStatus.Role = switch leaderID {
        case nil: .unknown
        case memberID: .leader
        default: .follower
        }
        return NodeStatus(role: role, term: raftTerm, leader: leaderID.flatMap(nodeID), commitIndex: raftIndex,
                          appliedIndex: raftAppliedIndex)
    }
}

/// etcd member ids (decimal strings of 64-bit ids) → chaos node ids, learned from the member list.
///
/// Members are started with `--name <node id>`, so the member list names them; ids never change for the
/// life of a cluster, so each is looked up once.
final class EtcdMembers: Sendable {
    private let names = Mutex<[String: String]>([:])

    /// The node id of `member`, asking `endpoint` for the member list when it is not known yet.
    func nodeID(of member: String, via endpoint: HTTPEndpoint, timeout: Duration) async -> String? {
        if let known = names.withLock({ $0[member] }) { return known }
        guard let response = try? await endpoint.request(.POST, "/v3/cluster/member/list", body: Array("{}".utf8),
                                                          timeout: timeout),
              response.status == 200, let list = response.json?["members"] as? [[String: Any]]
        else { return nil }
        let learned = Self.parse(list)
        return names.withLock {
            $0.merge(learned) { _, new in new }
            return $0[member]
        }
    }

    /// `members: [{ID, name}]` → id → name; members that have not started yet have no name and are skipped.
    static func parse(_ members: [[String: Any]]) -> [String: String] {
        var result: [String: String] = [:]
        for member in members {
            if let id = member["ID"] as? String, let name = member["name"] as? String, !name.isEmpty {
                result[id] = name
            }
        }
        return result
    }
}
