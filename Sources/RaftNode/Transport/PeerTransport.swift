import NIOCore
import NIOPosix
import Synchronization

/// Raft traffic between peers over TCP: a listener for inbound frames and one `PeerLink` per peer.
final class PeerTransport: Sendable {
    let id: String
    let listen: HostPort
    let group: any EventLoopGroup
    /// One link per known peer; members added by a configuration change get theirs with `connect(_:to:)`.
    private let linkTable: Mutex<[String: PeerLink]>
    var links: [String: PeerLink] { linkTable.withLock { $0 } }
    private let deliver: @Sendable ([RaftMessage]) -> Void
    private let server = Mutex<(any Channel)?>(nil)

    /// - Parameter deliver: called with each batch of messages read from one connection.
    init(id: String, listen: HostPort, peers: [String: HostPort], group: any EventLoopGroup,
         deliver: @escaping @Sendable ([RaftMessage]) -> Void) {
        self.id = id
        self.listen = listen
        self.group = group
        self.deliver = deliver
        var links: [String: PeerLink] = [:]
        for (peer, address) in peers { links[peer] = PeerLink(peer: peer, address: address, loop: group.next()) }
        self.linkTable = Mutex(links)
    }

    /// Makes sure `peer` has a link to `address` (a member added, or moved, by a configuration change).
    func connect(_ peer: String, to address: HostPort) {
        let old: PeerLink? = linkTable.withLock { table in
            guard table[peer]?.address != address, peer != id else { return nil }
            let previous = table[peer]
            table[peer] = PeerLink(peer: peer, address: address, loop: group.next())
            return previous
        }
        _ = old?.close()
    }

    /// Binds the raft listener.
    /// - Throws: `RaftNodeError.network` naming the address when it cannot be bound.
    func start() throws {
        let deliver = self.deliver
        do {
            let ch = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(RaftFrameDecoder()))
                        try ch.pipeline.syncOperations.addHandler(InboundBatcher(deliver: deliver))
                    }
                }
                .bind(host: listen.host, port: listen.port).wait()
            server.withLock { $0 = ch }
        } catch {
            throw RaftNodeError(.network, "cannot listen for raft traffic on \(listen): \(error)")
        }
    }

    /// Sends each message to its peer; messages to unknown peers are dropped.
    func send(_ messages: [RaftMessage]) {
        guard !messages.isEmpty else { return }
        let links = self.links
        if messages.count == 1 {
            links[messages[0].to]?.send(messages)
            return
        }
        var byPeer: [String: [RaftMessage]] = [:]
        for m in messages { byPeer[m.to, default: []].append(m) }
        for (peer, ms) in byPeer { links[peer]?.send(ms) }
    }

    /// Stops listening and closes every outbound connection.
    func shutdown() {
        let ch = server.withLock { $0 }
        try? ch?.close().wait()
        for link in links.values { try? link.close().wait() }
    }
}

/// Collects the messages of one read burst and hands them over in one call, so the core's event loop
/// wakes once per burst rather than once per message.
final class InboundBatcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = RaftMessage
    private var batch: [RaftMessage] = []
    private let deliver: @Sendable ([RaftMessage]) -> Void

    init(deliver: @escaping @Sendable ([RaftMessage]) -> Void) {
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        batch.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !batch.isEmpty else { return }
        let b = batch
        batch.removeAll(keepingCapacity: true)
        deliver(b)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
