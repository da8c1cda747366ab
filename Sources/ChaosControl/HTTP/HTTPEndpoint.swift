import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A keep-alive HTTP/1.1 connection to one `host:port`, opened on first use and reopened after a failure.
///
/// Written on SwiftNIO rather than a general HTTP client because chaos needs to know, for every failed request,
/// whether it left the machine (Jepsen's `fail` versus `info`), and needs hard per-request deadlines.
/// Requests on one endpoint are sequential; use one endpoint per concurrent client.
public final class HTTPEndpoint: Sendable {
    /// Opens a connected TCP socket within the given time (e.g. from inside another network namespace).
    public typealias Connector = @Sendable (_ timeout: Duration) throws -> Int32

    public let host: String
    public let port: Int
    /// Where its connections are bootstrapped (a workload client's own loop: see `ClientLoop`).
    let group: any EventLoopGroup
    private let connector: Connector?
    /// The open connection and its handler (reached directly from the channel's own loop).
    private let connection = Mutex<Connection?>(nil)

    private struct Connection: Sendable {
        var channel: any Channel
        var handler: NIOLoopBound<HTTPExchangeHandler>
    }

    /// - Parameter connector: where the socket comes from; nil = connect to `host:port` from this namespace.
    public init(host: String, port: Int, connector: Connector? = nil,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.connector = connector
        self.group = group
    }

    /// Sends one request and waits for its response, at most `timeout` in all (connecting included).
    /// - Parameter headers: extra request headers (`Host` and `Content-Length` are always set).
    /// - Parameter enough: for a response that never ends by itself (a stream), sees each body part as it
    ///   arrives and says when what came is enough; the connection is then closed.
    /// - Throws: `HTTPClientError`, saying whether the request may have reached the server.
    public func request(
        _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeout: Duration, enough: (@Sendable (ByteBuffer) -> Bool)? = nil
    ) async throws(HTTPClientError) -> HTTPResponse {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let open = try await connectedChannel(deadline: deadline)
        let channel = open.channel
        let buffer = body.map { ByteBuffer(bytes: $0) }
        do {
            let response = try await withUnsafeThrowingContinuation { continuation in
                let exchange = HTTPExchange(method: method, path: path, host: host, headers: headers, body: buffer,
                                            slot: ResponseSlot(continuation), deadline: deadline, enough: enough)
                if channel.eventLoop.inEventLoop {
                    // On the channel's loop (a workload client's task: `ClientLoop`) nothing can close the channel
                    // between this check and the write, and the handler is called directly: no write promise, and
                    // the exchange is not boxed into a pipeline message.
                    guard channel.isActive else {
                        exchange.slot.complete(.failure(HTTPClientError.connectionLost(sent: false)))
                        return
                    }
                    open.handler.value.send(exchange)
                } else {
                    // A channel closed under us never hands the exchange to the handler: fail it here, as possibly
                    // sent (it may have closed after the handler wrote it).
                    channel.writeAndFlush(exchange).whenFailure { _ in
                        exchange.slot.complete(.failure(HTTPClientError.connectionLost(sent: true)))
                    }
                }
            }
            if enough != nil { drop(channel) }  // the stream is cut off; the connection cannot be reused
            return response
        } catch {
            drop(channel)
            throw (error as? HTTPClientError) ?? .connectionLost(sent: true)
        }
    }

    /// Closes the connection; the next request opens a new one.
    public func close() {
        let old = connection.withLock { current in
            defer { current = nil }
            return current
        }
        old?.channel.close(promise: nil)
    }

    private func drop(_ failed: any Channel) {
        connection.withLock { current in
            if current?.channel === failed { current = nil }
        }
        failed.close(promise: nil)
    }

    private func connectedChannel(deadline: NIODeadline) async throws(HTTPClientError) -> Connection {
        if let open = connection.withLock({ $0 }), open.channel.isActive { return open }
        let remaining = deadline - .now()
        guard remaining > .zero else { throw .timeout(sent: false) }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(remaining)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
                }
            }
        do {
            let fresh: any Channel
            if let connector {
                // The connector blocks (up to `remaining`), so it runs on NIO's thread pool, off the task pool.
                let timeout = Duration.nanoseconds(remaining.nanoseconds)
                let fd = try await NIOThreadPool.singleton.runIfActive { try connector(timeout) }
                fresh = try await bootstrap.withConnectedSocket(fd).get()
            } else {
                fresh = try await bootstrap.connect(host: host, port: port).get()
            }
            let handler = try await fresh.eventLoop.submit {
                NIOLoopBound(try fresh.pipeline.syncOperations.handler(type: HTTPExchangeHandler.self),
                             eventLoop: fresh.eventLoop)
            }.get()
            let open = Connection(channel: fresh, handler: handler)
            connection.withLock { $0 = open }
            return open
        } catch {
            throw .connectFailed("\(host):\(port): \(error)")
        }
    }
}
