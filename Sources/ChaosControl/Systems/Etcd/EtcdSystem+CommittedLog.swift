import ChaosHistory
import Synchronization

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
        let request = EtcdJSON.body(["create_request": [
            "key": EtcdJSON.base64("\0"), "range_end": EtcdJSON.base64("\0"), "start_revision": String(after + 1),
        ]])
        let stream = RevisionStream(node: node.id, through: last)
        guard (try? await endpoint.request(.POST, "/v3/watch", body: request, timeout: deadline - .now,
                                           enough: { stream.consume(Array($0.readableBytesView)) })) != nil,
              let entries = stream.entries(after: after)
        else { return nil }
        return CommittedPage(entries: entries, commitIndex: revision)
    }
}

/// Watch responses turned into one `CommittedEntry` per revision.
final class RevisionStream: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var entries: [Int64: CommittedEntry] = [:]
        var highest: Int64 = 0
        var failed = false
    }

    private let node: String
    private let last: Int64
    private let state = Mutex(State())

    init(node: String, through last: Int64) {
        self.node = node
        self.last = last
    }

    /// Takes one body part; true once every revision up to `last` has arrived (or the watch failed).
    func consume(_ part: [UInt8]) -> Bool {
        state.withLock { state in
            state.pending += part
            while let newline = state.pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(state.pending[..<newline])
                state.pending.removeSubrange(...newline)
                guard !line.isEmpty else { continue }
                guard let result = HTTPResponse(status: 200, body: line).json?["result"] as? [String: Any],
                      result["canceled"] as? Bool != true
                else {
                    state.failed = true  // an error object, or a watch cancelled (compacted)
                    continue
                }
                for event in result["events"] as? [[String: Any]] ?? [] {
                    guard let kv = event["kv"] as? [String: Any], let revision = int64(kv["mod_revision"]) else {
                        continue
                    }
                    let put = (event["type"] as? String ?? "PUT") == "PUT"
                    state.entries[revision] = CommittedEntry(
                        index: revision, term: 0, node: node, op: put ? .put : .other,
                        key: EtcdJSON.text(base64: kv["key"]), value: put ? EtcdJSON.text(base64: kv["value"]) ?? "" : nil)
                    state.highest = max(state.highest, revision)
                }
            }
            return state.failed || state.highest >= last
        }
    }

    /// The entries after `after` in order, or nil when the watch failed or stopped short.
    func entries(after: Int64) -> [CommittedEntry]? {
        state.withLock { state in
            guard !state.failed, state.highest >= last else { return nil }
            return state.entries.keys.sorted().filter { $0 > after && $0 <= last }.map { state.entries[$0]! }
        }
    }
}
