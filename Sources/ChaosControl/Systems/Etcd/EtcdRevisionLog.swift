import ChaosHistory

/// Reads one etcd member's history for the divergence checker, over the JSON gateway.
///
/// etcd does not expose its raft log, but every committed write becomes exactly one store revision, and the
/// store keeps every revision until it is compacted (chaos never compacts). So the member's revisions serve as
/// its log: a watch from revision 1 replays every event, and revision `r` becomes entry `r` whose digest
/// hashes that revision's events (type, key, create/mod revision, version, value). Revisions carry no raft
/// term, so every entry has term 0. All of a member's revisions are committed, so its commit index is its
/// current revision. The backend hash (`/v3/maintenance/hash`) at that revision is added as the log's state
/// hash, which members at the same revision must share.
enum EtcdRevisionLog {
    static func read(node: String, via endpoint: HTTPEndpoint, timeout: Duration) async -> NodeLog? {
        let deadline = ContinuousClock.now + timeout
        // The hash answer carries the revision it was taken at; the history is read up to that revision.
        guard let hash = try? await endpoint.request(.POST, "/v3/maintenance/hash", body: Array("{}".utf8),
                                                     timeout: timeout),
              hash.status == 200, let json = hash.json,
              let header = json["header"] as? [String: Any], let hashValue = int64(json["hash"])
        else { return nil }
        let revision = int64(header["revision"]) ?? 1
        var entries: [NodeLog.Entry] = []
        if revision > 1 {
            guard let events = await watch(through: revision, via: endpoint, timeout: deadline - .now) else {
                return nil
            }
            entries = events
        }
        return NodeLog(node: node, commitIndex: revision, entries: entries,
                       stateHash: NodeLog.StateHash(index: revision, hash: String(hashValue)))
    }

    /// Every revision from 2 to `last` as an entry whose digest hashes that revision's events; nil when the watch
    /// failed or left a revision out.
    private static func watch(through last: Int64, via endpoint: HTTPEndpoint, timeout: Duration)
        async -> [NodeLog.Entry]?
    {
        await EtcdWatch.revisions(from: 1, through: last, via: endpoint, timeout: timeout)
            .flatMap { entries($0, through: last) }
    }

    /// One entry per revision from 2 to `last`, its digest over that revision's events; nil when one is missing.
    static func entries(_ revisions: [Int64: [EtcdWatch.Event]], through last: Int64) -> [NodeLog.Entry]? {
        var entries: [NodeLog.Entry] = []
        for revision in 2...max(last, 2) where revision <= last {
            guard let events = revisions[revision] else { return nil }
            entries.append(NodeLog.Entry(index: revision, term: 0,
                                         digest: fnv1a(events.map(describe).joined(separator: "\n"))))
        }
        return entries
    }

    /// What the digest covers of one event: type, key, create/mod revision, version, value.
    private static func describe(_ event: EtcdWatch.Event) -> String {
        [event.type, event.key, event.createRevision, event.modRevision, event.version, event.value]
            .joined(separator: " ")
    }

    /// 64-bit FNV-1a as hex: enough to tell replicas' revisions apart, and cheap.
    private static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
