import NIOCore
import NIOPosix

/// How the controller opens TCP connections to nodes when it cannot simply connect to their address: under
/// `network: namespaces` the nodes live on a bridge inside the lab, and only a socket created in the lab
/// namespace reaches them (ChaosNet's `Lab.connect(to:port:timeout:)` makes one).
///
/// ChaosControl cannot import ChaosNet (which depends on it), so the lab is plugged in as a function.
public struct NodeDialer: Sendable {
    /// Returns a connected, blocking TCP socket to `node`'s `port`, or throws within `timeout`.
    public let connect: @Sendable (_ node: String, _ port: Int, _ timeout: Duration) throws -> Int32

    public init(connect: @escaping @Sendable (_ node: String, _ port: Int, _ timeout: Duration) throws -> Int32) {
        self.connect = connect
    }
}

extension HTTPEndpoint {
    /// An endpoint for `node`'s client port: connected directly, or through `dialer` when there is one.
    /// - Parameter group: where its connections live (a workload client passes its own loop).
    public convenience init(node: NodeAddress, dialer: NodeDialer?,
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        guard let dialer else {
            self.init(host: node.host, port: node.clientPort, group: group)
            return
        }
        let id = node.id
        let port = node.clientPort
        self.init(host: node.host, port: port, connector: { @Sendable timeout in
            try dialer.connect(id, port, timeout)
        }, group: group)
    }
}
