import ChaosControl
import NIOHTTP1

/// The send loop every client session shares: send to the node believed to lead, follow "not the leader"
/// answers (to the hinted node, or the next one), skip unreachable nodes, and give up when the op's time runs
/// out — keeping Jepsen's line between "never left" (`fail`) and "may have taken effect" (`info`).
final class LeaderFollowingSender: Sendable {
    /// What a "not the leader" answer says: where to go next (a node id) and why, for the timeout message.
    struct Redirect {
        var hint: String?
        var reason: String
    }

    private let session: ClientEndpoints

    init(cluster: [NodeAddress], dialer: NodeDialer?, loop: ClientLoop) {
        session = ClientEndpoints(cluster: cluster, dialer: dialer, loop: loop)
    }

    /// The node the next request goes to.
    var currentNode: String { session.currentNode }

    /// Sends the next request to `node` first (a client bound to a node starts each operation there).
    func begin(at node: String) { session.move(to: node) }

    /// Sends the next request to the next node (the current one failed an operation).
    func moveOn() { session.moveOn(from: session.position) }

    func close() { session.close() }

    /// Sends until a node answers with something other than a redirect, or `timeout` runs out.
    ///
    /// - Parameters:
    ///   - mutating: whether the request may change state; a lost one is then `info`, else `fail`.
    ///   - redirect: recognises "not the leader / no leader yet" answers (nothing was done; try again).
    /// - Returns: `ok` with the answer, `fail` when nothing can have happened, `info` when it may have.
    func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, headers: [(String, String)] = [], timeout: Duration,
        mutating: Bool, redirect: (HTTPResponse, _ node: String) -> Redirect?
    ) async -> OpOutcome<HTTPResponse> {
        let deadline = ContinuousClock.now + timeout
        var lastError = "no node reachable"
        while true {
            let remaining = deadline - .now
            if remaining <= .zero { return .fail("timeout: \(lastError)") }
            let index = session.position
            let node = session.nodes[index]
            do {
                let response = try await session.endpoint(at: index).request(
                    method, path, body: body, headers: headers, timeout: remaining)
                guard let redirected = redirect(response, node.id) else { return .ok(response) }
                lastError = redirected.reason
                // With no hint, or a hint back to this node (its view is stale), give the election a moment.
                if follow(hint: redirected.hint, from: index) == index || redirected.hint == nil {
                    await session.loop.sleep(for: .milliseconds(20))
                }
            } catch {
                if error.sent { return mutating ? .info(error.description) : .fail(error.description) }
                lastError = "\(node.id): \(error)"
                follow(hint: nil, from: index)
                await session.loop.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Moves to the hinted leader, or to the next node when there is no hint; returns the new position.
    @discardableResult
    private func follow(hint: String?, from index: Int) -> Int {
        let nodes = session.nodes
        let next = hint.flatMap { id in nodes.firstIndex { $0.id == id } } ?? (index + 1) % nodes.count
        session.move(to: next)
        return next
    }
}

/// A client session whose every request goes through one `LeaderFollowingSender`: where the next request goes
/// and closing are the sender's.
protocol SenderBackedClient: SystemClient {
    var sender: LeaderFollowingSender { get }
}

extension SenderBackedClient {
    var currentNode: String { sender.currentNode }

    func begin(at node: String) { sender.begin(at: node) }

    func close() { sender.close() }
}
