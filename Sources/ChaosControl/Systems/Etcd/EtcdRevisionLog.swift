import ChaosHistory
import NIOCore
import Synchronization

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

    /// Every revision from 2 to `last`, replayed by a watch on the whole key space.
    private static func watch(through last: Int64, via endpoint: HTTPEndpoint, timeout: Duration)
        async -> [NodeLog.Entry]?
    {
        let request = EtcdJSON.body(["create_request": [
            "key": EtcdJSON.base64("\0"), "range_end": EtcdJSON.base64("\0"), "start_revision": "1",
        ]])
        let stream = WatchStream(through: last)
        guard (try? await endpoint.request(.POST, "/v3/watch", body: request, timeout: timeout,
                                           enough: { stream.consume(Array($0.readableBytesView)) })) != nil
        else { return nil }
        return stream.entries()
    }
}

/// The watch responses as they stream in: newline-separated JSON objects, each `{"result": {events: […]}}`.
final class WatchStream: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var events: [Int64: [String]] = [:]
        var highest: Int64 = 0
        var failed = false
    }

    private let last: Int64
    private let state = Mutex(State())

    init(through last: Int64) {
        self.last = last
    }

    /// Takes one body part; returns true once every revision up to `last` has arrived (or the watch failed).
    func consume(_ part: [UInt8]) -> Bool {
        state.withLock { state in
            state.pending += part
            while let newline = state.pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(state.pending[..<newline])
                state.pending.removeSubrange(...newline)
                guard !line.isEmpty else { continue }
                let response = HTTPResponse(status: 200, body: line)
                guard let result = response.json?["result"] as? [String: Any] else {
                    state.failed = true  // an error object instead of a result
                    continue
                }
                if result["canceled"] as? Bool == true { state.failed = true }  // e.g. compacted
                for event in result["events"] as? [[String: Any]] ?? [] {
                    guard let kv = event["kv"] as? [String: Any], let revision = int64(kv["mod_revision"]) else {
                        continue
                    }
                    state.events[revision, default: []].append(Self.describe(event, kv))
                    state.highest = max(state.highest, revision)
                }
            }
            return state.failed || state.highest >= last
        }
    }

    /// One entry per revision, or nil when the watch failed or left a revision out.
    func entries() -> [NodeLog.Entry]? {
        state.withLock { state in
            guard !state.failed, state.highest >= last else { return nil }
            var entries: [NodeLog.Entry] = []
            for revision in 2...last {
                guard let events = state.events[revision] else { return nil }
                entries.append(NodeLog.Entry(index: revision, term: 0, digest: fnv1a(events.joined(separator: "\n"))))
            }
            return entries
        }
    }

    private static func describe(_ event: [String: Any], _ kv: [String: Any]) -> String {
        let fields = [event["type"] as? String ?? "PUT", kv["key"] as? String ?? "",
                      kv["create_revision"] as? String ?? "0", kv["mod_revision"] as? String ?? "0",
                      kv["version"] as? String ?? "0", kv["value"] as? String ?? ""]
        return fields.joined(separator: " ")
    }

    /// 64-bit FNV-1a as hex: enough to tell replicas' revisions apart, and cheap.
    private func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
