import ChaosControl
import Synchronization

/// A client session's connections: one keep-alive endpoint per node, and the node it is talking to now.
///
/// Sessions start at a random node so that clients spread over the cluster.
final class ClientEndpoints: Sendable {
    let nodes: [NodeAddress]
    private let endpoints: [String: HTTPEndpoint]
    private let current: Mutex<Int>

    init(cluster: [NodeAddress], dialer: NodeDialer?) {
        nodes = cluster
        endpoints = Dictionary(uniqueKeysWithValues: cluster.map {
            ($0.id, HTTPEndpoint(node: $0, dialer: dialer))
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
