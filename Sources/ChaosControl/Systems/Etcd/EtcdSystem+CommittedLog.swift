import ChaosHistory

/// etcd's committed log, as its revision history: every committed write is one store revision (chaos never
/// compacts), replayed by a watch from the revision after the last one read. A revision's PUT is a `put` entry
/// (a CAS that matched is a transaction whose PUT it is; one that did not match makes no revision), anything
/// else (a DELETE) an entry of kind `other`. Revisions carry no raft term: every entry has term 0.
extension EtcdSystem: CommittedLogSource {
    public var firstCommittedIndex: Int64 { 2 }

    public func committedEntries(of node: NodeAddress, after: Int64, limit: Int, via endpoint: HTTPEndpoint,
                                 timeout: Duration) async -> CommittedPage? {
        let deadline = ContinuousClock.now + timeout
        // Any answer's header carries the member's current revision: a count-only range of an empty key.
        let probe = EtcdJSON.body(["key": EtcdJSON.base64("\0"), "count_only": true, "serializable": true])
        guard let response = try? await endpoint.request(.POST, "/v3/kv/range", body: probe, timeout: timeout),
              response.status == 200, let header = response.json?["header"] as? [String: Any],
              let revision = int64(header["revision"])
        else { return nil }
        let last = min(revision, after + Int64(limit))
        guard last > after else { return CommittedPage(entries: [], commitIndex: revision) }
        guard let revisions = await EtcdWatch.revisions(from: after + 1, through: last, via: endpoint,
                                                        timeout: deadline - .now)
        else { return nil }
        let entries = revisions.keys.sorted().filter { $0 > after && $0 <= last }.map { revision in
            // A transaction with several events is one revision; its last event stands for it.
            let event = revisions[revision]!.last!
            let put = event.type == "PUT"
            return CommittedEntry(index: revision, term: 0, node: node.id, op: put ? .put : .other,
                                  key: EtcdJSON.text(base64: event.key),
                                  value: put ? EtcdJSON.text(base64: event.value) ?? "" : nil)
        }
        return CommittedPage(entries: entries, commitIndex: revision)
    }
}
