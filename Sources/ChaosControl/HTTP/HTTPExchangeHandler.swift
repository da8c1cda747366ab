import NIOCore
import NIOHTTP1

/// One request on its way out, with the promise its response completes.
struct HTTPExchange: Sendable {
    var method: HTTPMethod
    var path: String
    var host: String
    var headers: [(String, String)]
    var body: ByteBuffer?
    var promise: EventLoopPromise<HTTPResponse>
    /// When the exchange times out (`timeout(sent: true)`, the connection closed): scheduled and cancelled by
    /// the handler on the channel's own event loop, so a request costs no cross-thread timer calls.
    var deadline: NIODeadline
    /// For a response that streams without end (etcd's watch): fed each body part as it arrives; when it returns
    /// true the response so far completes the exchange and the connection is closed.
    var enough: (@Sendable (ByteBuffer) -> Bool)? = nil
}

/// Writes `HTTPExchange`s as HTTP/1.1 requests and reads their responses (`HTTPResponseParser`) into one
/// `HTTPResponse` each: the whole HTTP layer of a client connection, on the raw bytes.
///
/// A connection carries one exchange at a time (clients here are sequential), so one pending promise suffices.
/// The handler also keeps the exchange's deadline timer: set when the request is written, cancelled when the
/// exchange ends, both on the event loop.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = ByteBuffer

    private var pending: EventLoopPromise<HTTPResponse>?
    private var enough: (@Sendable (ByteBuffer) -> Bool)?
    private var status = 0
    private var body: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var parser = HTTPResponseParser()
    /// What arrived and is not parsed yet (a partial head or chunk line).
    private var received: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        let request: ByteBuffer
        do {
            request = try Self.encode(exchange, allocator: context.channel.allocator)
        } catch {
            exchange.promise.fail(error)
            promise?.fail(error)
            return
        }
        pending = exchange.promise
        enough = exchange.enough
        status = 0
        body = nil
        parser.expectResponse(toHead: exchange.method == .HEAD)
        let timedOut = exchange.promise
        timer = context.eventLoop.scheduleTask(deadline: exchange.deadline) { [weak self] in
            if let self, self.pending?.futureResult === timedOut.futureResult {
                self.finish(.failure(HTTPClientError.timeout(sent: true)))
                context.close(promise: nil)
            } else {
                // The handler is gone (its channel closed and the pipeline was torn down after this write set the
                // exchange pending) or moved on: fail the promise itself, or its caller would wait forever.
                // Failing a promise already completed does nothing.
                timedOut.fail(HTTPClientError.timeout(sent: true))
            }
        }
        context.write(wrapOutboundOut(request), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard pending != nil else {
            // Bytes nobody asked for (a late answer to a request that timed out cannot arrive: that closed the
            // connection): the connection's framing cannot be trusted any more.
            received = nil
            context.close(promise: nil)
            return
        }
        if received == nil { received = incoming } else { received!.writeBuffer(&incoming) }
        // Closing is left until the parser is done: closing can run `channelInactive`, which reads the parser.
        var closeNow = false
        do {
            try parser.parse(&received!) { part in
                guard pending != nil else { return }
                switch part {
                case .head(let code):
                    status = code
                case .body(var bytes):
                    let done = enough?(bytes) ?? false
                    if body == nil { body = bytes } else { body!.writeBuffer(&bytes) }
                    if done {
                        finish(.success(HTTPResponse(status: status, body: Array(body!.readableBytesView))))
                        closeNow = true
                    }
                case .end(let close):
                    let bytes = body.map { Array($0.readableBytesView) } ?? []
                    body = nil
                    finish(.success(HTTPResponse(status: status, body: bytes)))
                    closeNow = closeNow || close
                }
            }
        } catch {
            finish(.failure(HTTPClientError.badResponse(error.description)))
            closeNow = true
        }
        if received!.readableBytes == 0 {
            received = nil
        } else if received!.readerIndex > 16 * 1024 {
            received!.discardReadBytes()
        }
        if closeNow { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if pending != nil {
            // A body that runs to the connection's end is complete now.
            _ = parser.connectionClosed { part in
                if case .end = part {
                    finish(.success(HTTPResponse(status: status, body: body.map { Array($0.readableBytesView) } ?? [])))
                }
            }
        }
        finish(.failure(HTTPClientError.connectionLost(sent: true)))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(HTTPClientError.connectionLost(sent: true)))
        context.close(promise: nil)
    }

    /// Completes the pending exchange (if any) and stops its timer.
    private func finish(_ result: Result<HTTPResponse, any Error>) {
        timer?.cancel()
        timer = nil
        guard let promise = pending else { return }
        pending = nil
        promise.completeWith(result)
    }

    /// The request line, `Host`, the caller's headers, `Content-Length` and the body, in one buffer.
    static func encode(_ exchange: HTTPExchange, allocator: ByteBufferAllocator) throws(HTTPClientError)
        -> ByteBuffer {
        func check(_ text: String, _ what: String) throws(HTTPClientError) {
            if text.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                throw .invalidRequest("line break in the \(what) \"\(text.prefix(60))\"")
            }
        }
        try check(exchange.path, "path")
        try check(exchange.host, "Host header")
        if exchange.path.utf8.contains(32) { throw .invalidRequest("space in the path \"\(exchange.path.prefix(60))\"") }
        var headersLength = 0
        for (name, value) in exchange.headers {
            try check(name, "header name")
            try check(value, "value of header \(name)")
            if name.isEmpty || name.utf8.contains(where: { $0 == 58 || $0 == 32 || $0 == 9 }) {
                throw .invalidRequest("bad header name \"\(name.prefix(60))\"")
            }
            headersLength += name.utf8.count + value.utf8.count + 4
        }
        let bodyLength = exchange.body?.readableBytes ?? 0
        var buffer = allocator.buffer(capacity: 64 + exchange.path.utf8.count + exchange.host.utf8.count
                                      + headersLength + bodyLength)
        buffer.writeString(exchange.method.rawValue)
        buffer.writeInteger(UInt8(32))
        buffer.writeString(exchange.path)
        buffer.writeStaticString(" HTTP/1.1\r\nHost: ")
        buffer.writeString(exchange.host)
        buffer.writeStaticString("\r\n")
        for (name, value) in exchange.headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(bodyLength))
        buffer.writeStaticString("\r\n\r\n")
        if var body = exchange.body { buffer.writeBuffer(&body) }
        return buffer
    }
}
