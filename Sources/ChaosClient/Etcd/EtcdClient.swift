import ChaosControl
import NIOHTTP1

/// A client session against etcd over its v3 JSON gateway.
///
/// Every member forwards to the leader, so the session sticks to one member and moves to the next when that one
/// fails it (unreachable, timed out, or refusing): an isolated or paused member costs one operation, not all.
/// Outcomes are Jepsen's: a mutation whose request may have reached a member and got no definite answer is
/// `info`; only answers that certainly had no effect are `fail`.
final class EtcdClient: SenderBackedClient {
    let sender: LeaderFollowingSender

    init(cluster: [NodeAddress], dialer: NodeDialer? = nil, loop: ClientLoop) {
        sender = LeaderFollowingSender(cluster: cluster, dialer: dialer, loop: loop)
    }

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
        let outcome = await sender.send(.POST, path, body: body, timeout: timeout, mutating: mutating) { reply, node in
            // Refused without effect (or a read): try the next member, this one may be cut off from the leader.
            guard reply.status != 200, !mutating || Self.isDefinite(reply) else { return nil }
            return .init(hint: nil, reason: "\(node): \(EtcdJSON.describe(reply))")
        }
        guard case .ok(let response) = outcome, response.status != 200 else { return outcome }
        // A mutation failed without saying it had no effect: unknown. The next operation goes elsewhere.
        let node = sender.currentNode
        sender.moveOn()
        return .info("\(node): \(EtcdJSON.describe(response))")
    }

    /// Whether an error answer certainly had no effect. The gateway maps gRPC codes to HTTP statuses: 4xx are
    /// refusals before anything is proposed (invalid argument, `too many requests`); 5xx (`leader changed`,
    /// `request timed out`, `no leader`) may come after the proposal entered the log.
    private static func isDefinite(_ response: HTTPResponse) -> Bool {
        (400..<500).contains(response.status) && response.status != 408
    }
}

extension EtcdSystem: ClientProviding {
    public func makeClient(cluster: [NodeAddress], loop: ClientLoop) -> any SystemClient {
        EtcdClient(cluster: cluster, dialer: dialer, loop: loop)
    }
}
