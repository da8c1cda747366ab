import ChaosControl
import Synchronization

/// A client session's connections: one keep-alive endpoint per node, and the node it is talking to now.
///
/// Sessions start at a random node so that clients spread over the cluster. Every connection lives on the
/// session's `loop`, the one its workload client's task runs on, so a request never changes thread.
final class ClientEndpoints: Sendable {
    let nodes: [NodeAddress]
    let loop: ClientLoop
    private let endpoints: [String: HTTPEndpoint]
    private let current: Mutex<Int>

    init(cluster: [NodeAddress], dialer: NodeDialer?, loop: ClientLoop) {
        nodes = cluster
        self.loop = loop
        endpoints = Dictionary(uniqueKeysWithValues: cluster.map {
            ($0.id, HTTPEndpoint(node: $0, dialer: dialer, group: loop.eventLoop))
        })
        current = Mutex(Int.random(in: 0..<max(cluster.count, 1)))
    }

    /// The position of the node requests go to now.
    var position: Int { current.withLock { $0 } }

    var currentNode: String { nodes[position].id }

    func endpoint(at position: Int) -> HTTPEndpoint { endpoints[nodes[position].id]! }

    /// Makes `position` the node requests go to.
    func move(to position: Int) {
        current.withLock { $0 = position }
    }

    /// Makes the node with id `node` the one requests go to (ignored for an unknown id).
    func move(to node: String) {
        guard let index = nodes.firstIndex(where: { $0.id == node }) else { return }
        move(to: index)
    }

    /// Moves to the next node, unless another request already moved on from `position`.
    func moveOn(from position: Int) {
        current.withLock { if $0 == position { $0 = (position + 1) % nodes.count } }
    }

    func close() {
        for endpoint in endpoints.values { endpoint.close() }
    }
}
