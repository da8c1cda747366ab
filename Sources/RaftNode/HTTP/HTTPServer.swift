import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The node's HTTP/1.1 API listener (keep-alive, pipelining-safe).
final class HTTPServer: Sendable {
    let address: HostPort
    private let group: any EventLoopGroup
    private let node: RaftNodeServer
    private let channel = Mutex<(any Channel)?>(nil)

    init(node: RaftNodeServer, address: HostPort, group: any EventLoopGroup) {
        self.node = node
        self.address = address
        self.group = group
    }

    /// - Throws: `RaftNodeError.network` naming the address when it cannot be bound.
    func start() throws {
        let node = self.node
        do {
            let ch = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { ch in
                    ch.pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true).flatMapThrowing {
                        try ch.pipeline.syncOperations.addHandler(HTTPHandler(node: node))
                    }
                }
                .bind(host: address.host, port: address.port).wait()
            channel.withLock { $0 = ch }
        } catch {
            throw RaftNodeError(.network, "cannot listen for HTTP on \(address): \(error)")
        }
    }

    /// Stops accepting new connections.
    func stop() {
        let ch = channel.withLock { $0 }
        try? ch?.close().wait()
    }
}
