import NIOHTTP1

/// A client session against etcd over its v3 JSON gateway.
///
/// Every member forwards to the leader, so the session sticks to one member and moves to the next when that one
/// fails it (unreachable, timed out, or refusing): an isolated or paused member costs one operation, not all.
/// Outcomes are Jepsen's: a mutation whose request may have reached a member and got no definite answer is
/// `info`; only answers that certainly had no effect are `fail`.
final class EtcdClient: SystemClient {
    private let session: ClientEndpoints

    init(cluster: [NodeAddress], dialer: NodeDialer? = nil) {
        session = ClientEndpoints(cluster: cluster, dialer: dialer)
    }

    var currentNode: String { session.currentNode }

    func begin(at node: String) { session.move(to: node) }

    func close() { session.close() }

    /// A linearizable range read (the gateway's default; `serializable` stays false).
    func read(_ key: String, timeout: Duration) async -> OpOutcome<String?> {
        let body = EtcdJSON.body(["key": EtcdJSON.base64(key)])
        switch await send("/v3/kv/range", body: body, timeout: timeout, mutating: false) {
        case .ok(let response):
            let kvs = response.json?["kvs"] as? [[String: Any]] ?? []
            guard let kv = kvs.first else { return .ok(nil) }
            // A key put with an empty value has no `value` field at all.
            return .ok(EtcdJSON.text(base64: kv["value"]) ?? "")
        case .fail(let why), .info(let why): return .fail(why)  // a read changes nothing
        }
    }

    func write(_ key: String, _ value: String, timeout: Duration) async -> OpOutcome<Void> {
        let body = EtcdJSON.body(["key": EtcdJSON.base64(key), "value": EtcdJSON.base64(value)])
        switch await send("/v3/kv/put", body: body, timeout: timeout, mutating: true) {
        case .ok: return .ok(())
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    /// A transaction: if the key's value equals `from`, put `to`. A missing key compares unequal.
    func cas(_ key: String, from: String, to: String, timeout: Duration) async -> OpOutcome<Bool> {
        let encodedKey = EtcdJSON.base64(key)
        let body = EtcdJSON.body([
            "compare": [["key": encodedKey, "target": "VALUE", "result": "EQUAL", "value": EtcdJSON.base64(from)]],
            "success": [["requestPut": ["key": encodedKey, "value": EtcdJSON.base64(to)]]],
        ])
        switch await send("/v3/kv/txn", body: body, timeout: timeout, mutating: true) {
        case .ok(let response): return .ok(response.json?["succeeded"] as? Bool ?? false)  // false is omitted
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    /// etcd has no replicated-log append; plans with `workload: append` and `system: etcd` are refused when they
    /// are loaded, so this is never called by a run.
    func append(_ entry: String, timeout: Duration) async -> OpOutcome<Int64> {
        .fail("etcd has no log append operation")
    }

    /// Posts to the current member, moving to the next one and trying again after an answer or failure that
    /// certainly had no effect, until `timeout` runs out.
    /// - Returns: the 200 reply; `fail` when nothing took effect; `info` when it may have.
    private func send(_ path: String, body: [UInt8], timeout: Duration, mutating: Bool)
        async -> OpOutcome<HTTPResponse>
    {
        let deadline = ContinuousClock.now + timeout
        var lastError = "no member reachable"
        while true {
            let remaining = deadline - .now
            if remaining <= .zero { return .fail("timeout: \(lastError)") }
            let index = session.position
            let node = session.nodes[index]
            do {
                let response = try await session.endpoint(at: index).request(.POST, path, body: body,
                                                                             timeout: remaining)
                if response.status == 200 { return .ok(response) }
                // The next operation goes elsewhere: this member may be cut off from the leader.
                session.moveOn(from: index)
                lastError = "\(node.id): \(EtcdJSON.describe(response))"
                if mutating && !Self.isDefinite(response) { return .info(lastError) }
                try? await Task.sleep(for: .milliseconds(20))
            } catch {
                session.moveOn(from: index)
                if error.sent { return mutating ? .info("\(node.id): \(error)") : .fail("\(node.id): \(error)") }
                lastError = "\(node.id): \(error)"
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Whether an error answer certainly had no effect. The gateway maps gRPC codes to HTTP statuses: 4xx are
    /// refusals before anything is proposed (invalid argument, `too many requests`); 5xx (`leader changed`,
    /// `request timed out`, `no leader`) may come after the proposal entered the log.
    private static func isDefinite(_ response: HTTPResponse) -> Bool {
        (400..<500).contains(response.status) && response.status != 408
    }
}
