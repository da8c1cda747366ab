import ChaosControl
import ChaosPlan

/// A client session for a custom adapter: fills in the operation's request template, sends it through the
/// shared leader-following loop, and reads the answer the way the adapter says — keeping outcomes honest for
/// the linearizability checker (a lost or unclear mutation is `info`; only a definite refusal is `fail`).
final class CustomClient: SenderBackedClient {
    private let definition: ClientDefinition
    let sender: LeaderFollowingSender

    init(definition: ClientDefinition, cluster: [NodeAddress], dialer: NodeDialer?, loop: ClientLoop) {
        self.definition = definition
        sender = LeaderFollowingSender(cluster: cluster, dialer: dialer, loop: loop)
    }

    func read(_ key: String, timeout: Duration) async -> OpOutcome<String?> {
        guard let operation = definition.read else { return .fail("the adapter defines no 'read'") }
        switch await send(operation, ["key": key], timeout: timeout, mutating: false) {
        case .ok(let response):
            let root = JSONField.root(of: response)
            if JSONField.matches(operation.absent, response, root: root) { return .ok(nil) }
            guard JSONField.matches(operation.ok, response, root: root) else { return .fail(describe(response)) }
            // A value the answer leaves out is an absent key (etcd omits `kvs` for one).
            return .ok(operation.result.flatMap { JSONField.read($0, in: root) })
        case .fail(let why), .info(let why):
            return .fail(why)  // a read changes nothing, so an unknown read is a failed one
        }
    }

    func write(_ key: String, _ value: String, timeout: Duration) async -> OpOutcome<Void> {
        await mutate(definition.write, "write", ["key": key, "value": value], timeout: timeout) { _, _ in () }
    }

    func cas(_ key: String, from: String, to: String, timeout: Duration) async -> OpOutcome<Bool> {
        await mutate(definition.cas, "cas", ["key": key, "from": from, "to": to], timeout: timeout) { read, root in
            switch read.flatMap({ JSONField.read($0, in: root) }) {
            case "true": true
            case "false": false
            default: nil
            }
        }
    }

    func append(_ entry: String, timeout: Duration) async -> OpOutcome<Int64> {
        await mutate(definition.append, "append", ["value": entry], timeout: timeout) { read, root in
            read.flatMap { JSONField.read($0, in: root) }.flatMap { Int64($0) }
        }
    }

    /// Sends a state-changing operation and reads its result; an answer that is neither ok nor a definite
    /// failure, or an ok answer without a readable result, leaves the outcome unknown (`info`).
    private func mutate<T>(
        _ operation: OperationDefinition?, _ name: String, _ values: [String: String], timeout: Duration,
        result: (FieldRead?, Any?) -> T?
    ) async -> OpOutcome<T> {
        guard let operation else { return .fail("the adapter defines no '\(name)'") }
        switch await send(operation, values, timeout: timeout, mutating: true) {
        case .ok(let response):
            let root = JSONField.root(of: response)
            guard JSONField.matches(operation.ok, response, root: root) else {
                let definite = JSONField.matches(definition.definiteFailure, response, root: root)
                return definite ? .fail(describe(response)) : .info(describe(response))
            }
            guard let value = result(operation.result, root) else {
                return .info("unreadable reply: \(describe(response))")
            }
            return .ok(value)
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    /// Sends until a node answers other than "not the leader".
    private func send(
        _ operation: OperationDefinition, _ values: [String: String], timeout: Duration, mutating: Bool
    ) async -> OpOutcome<HTTPResponse> {
        let request = RequestExpansion(operation.request, values: values)
        let notLeader = definition.notLeader
        let hint = definition.leaderHint
        return await sender.send(request.method, request.path, body: request.body, headers: request.headers,
                                        timeout: timeout, mutating: mutating) { response, node in
            let root = JSONField.root(of: response)
            guard JSONField.matches(notLeader, response, root: root) else { return nil }
            return .init(hint: hint.flatMap { JSONField.read($0, in: root) },
                         reason: "\(node) is not the leader (\(response.status))")
        }
    }

    private func describe(_ response: HTTPResponse) -> String {
        "\(response.status) \(response.text.prefix(80))"
    }
}

extension CustomSystem: ClientProviding {
    public func makeClient(cluster: [NodeAddress], loop: ClientLoop) -> any SystemClient {
        CustomClient(definition: definition.client, cluster: cluster, dialer: dialer, loop: loop)
    }
}
