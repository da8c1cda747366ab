import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The outbound TCP connection to one peer: connects lazily, reconnects with exponential backoff, and
/// never lets a dead or silent peer block anyone — when the socket does not drain, messages are dropped
/// (Raft retransmits what matters).
///
/// All state is confined to `loop`; every entry point hops onto it.
final class PeerLink: @unchecked Sendable {
    let peer: String
    let address: HostPort
    let loop: any EventLoop
    private var channel: (any Channel)?
    private var connecting = false
    private var closed = false
    private var backoff: TimeAmount = .milliseconds(50)
    private var queue: [RaftMessage] = []
    /// Payload bytes held in `queue`.
    private(set) var queuedBytes = 0
    /// While the peer is unreachable, at most this many messages and payload bytes wait for the connection; the
    /// oldest go first. A leader keeps pipelining appends to a dead follower until it notices, and without a
    /// byte bound the queue grew to hundreds of MB whose flush on reconnect stalled the event loop for seconds.
    static let maxQueued = 4096
    static let maxQueuedBytes = 4 << 20
    private static let maxBackoff: TimeAmount = .seconds(1)
    /// TCP_USER_TIMEOUT (18 on Linux), in ms: abort a connection whose data stays unacknowledged this long.
    /// Without it a connection that lived through a long partition keeps retransmitting with an RTO that has
    /// grown to tens of seconds, and the follower stays behind long after the partition heals.
    static let userTimeout = ChannelOptions.Types.SocketOption(
        level: NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_TCP)), name: NIOBSDSocket.Option(rawValue: 18))

    init(peer: String, address: HostPort, loop: any EventLoop) {
        self.peer = peer
        self.address = address
        self.loop = loop
    }

    /// Sends messages in order; safe to call from any thread.
    func send(_ messages: [RaftMessage]) {
        loop.execute { self.sendOnLoop(messages) }
    }

    private func sendOnLoop(_ messages: [RaftMessage]) {
        guard !closed else { return }
        if let ch = channel, ch.isActive {
            guard ch.isWritable else { return }  // the peer is not reading: drop, Raft resends
            var buf = ch.allocator.buffer(capacity: 256)
            for m in messages { WireCodec.encode(m, into: &buf) }
            ch.writeAndFlush(buf, promise: nil)
            return
        }
        queue.append(contentsOf: messages)
        queuedBytes += messages.reduce(0) { $0 + $1.payloadBytes }
        var dropped = 0
        while dropped < queue.count - 1,
              queue.count - dropped > PeerLink.maxQueued || queuedBytes > PeerLink.maxQueuedBytes {
            queuedBytes -= queue[dropped].payloadBytes
            dropped += 1
        }
        if dropped > 0 { queue.removeFirst(dropped) }
        connect()
    }

    private func connect() {
        guard !connecting, channel == nil, !closed else { return }
        connecting = true
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(PeerLink.userTimeout, value: 3000)
            .channelOption(.writeBufferWaterMark, value: .init(low: 1 << 20, high: 16 << 20))
            .connectTimeout(.milliseconds(500))
            .connect(host: address.host, port: address.port)
            .hop(to: loop)
            .whenComplete { result in
                self.connecting = false
                switch result {
                case .success(let ch):
                    if self.closed {
                        ch.close(promise: nil)
                        return
                    }
                    self.channel = ch
                    self.backoff = .milliseconds(50)
                    ch.closeFuture.hop(to: self.loop).whenComplete { _ in
                        self.channel = nil
                        self.scheduleReconnect()
                    }
                    let pending = self.queue
                    self.queue.removeAll()
                    self.queuedBytes = 0
                    if !pending.isEmpty { self.sendOnLoop(pending) }
                case .failure:
                    self.scheduleReconnect()
                }
            }
    }

    private func scheduleReconnect() {
        guard !closed else { return }
        let delay = backoff
        backoff = min(backoff * 2, PeerLink.maxBackoff)
        loop.scheduleTask(in: delay) { self.connect() }
    }

    /// Closes the connection and stops reconnecting.
    func close() -> EventLoopFuture<Void> {
        loop.submit {
            self.closed = true
            self.queue.removeAll()
            self.queuedBytes = 0
            return self.channel
        }.flatMap { ch in
            ch?.close() ?? self.loop.makeSucceededVoidFuture()
        }.recover { _ in }
    }
}

extension RaftMessage {
    /// The bytes of log data or state the message carries (what makes a queue of them large).
    var payloadBytes: Int {
        switch body {
        case .appendEntries(_, _, let entries, _): entries.reduce(0) { $0 + $1.data.count }
        case .installSnapshot(let snapshot): snapshot.data.count
        default: 0
        }
    }
}
