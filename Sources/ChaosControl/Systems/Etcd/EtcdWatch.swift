import Synchronization

/// A replay of an etcd member's store revisions through the gateway's watch (`/v3/watch` from a start revision on
/// the whole key space). Both readers of a member's history use it: the divergence checker's log digests
/// (`EtcdRevisionLog`) and the committed log followed during a run (`EtcdSystem+CommittedLog`).
enum EtcdWatch {
    /// One event of a watch response as the gateway gives it (key and value base64, revisions as decimal text).
    struct Event: Sendable {
        var type: String
        var key: String
        var createRevision: String
        var modRevision: String
        var version: String
        var value: String
    }

    /// Every event of the revisions `first…last`, by revision; nil when the watch failed (an error object, a
    /// cancelled watch — e.g. compacted — or no answer in time) or ended before `last`.
    static func revisions(from first: Int64, through last: Int64, via endpoint: HTTPEndpoint, timeout: Duration)
        async -> [Int64: [Event]]?
    {
        let request = EtcdJSON.body(["create_request": [
            "key": EtcdJSON.base64("\0"), "range_end": EtcdJSON.base64("\0"), "start_revision": String(first),
        ]])
        let stream = Stream(through: last)
        guard (try? await endpoint.request(.POST, "/v3/watch", body: request, timeout: timeout,
                                           enough: { stream.consume(Array($0.readableBytesView)) })) != nil
        else { return nil }
        return stream.revisions()
    }

    /// The watch responses as they stream in: newline-separated JSON objects, each `{"result": {events: […]}}`.
    final class Stream: Sendable {
        private struct State {
            var pending: [UInt8] = []
            var events: [Int64: [Event]] = [:]
            var highest: Int64 = 0
            var failed = false
        }

        private let last: Int64
        private let state = Mutex(State())

        init(through last: Int64) {
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
                        state.events[revision, default: []].append(Event(
                            type: event["type"] as? String ?? "PUT", key: kv["key"] as? String ?? "",
                            createRevision: kv["create_revision"] as? String ?? "0",
                            modRevision: kv["mod_revision"] as? String ?? "0",
                            version: kv["version"] as? String ?? "0", value: kv["value"] as? String ?? ""))
                        state.highest = max(state.highest, revision)
                    }
                }
                return state.failed || state.highest >= last
            }
        }

        /// The events by revision, or nil when the watch failed or stopped short of `last`.
        func revisions() -> [Int64: [Event]]? {
            state.withLock { state in
                guard !state.failed, state.highest >= last else { return nil }
                return state.events
            }
        }
    }
}
