import NIOCore
import NIOHTTP1

/// Where an exchange's response goes: the waiting task's continuation, resumed once.
///
/// Touched only on the channel's event loop once handed to it (the handler, its timer and a failed write's
/// callback all run there), so it needs no lock; a second completion does nothing. It stands in for an
/// `EventLoopPromise` and its future, whose allocation and callbacks were a measurable part of the cost per
/// operation.
final class ResponseSlot: @unchecked Sendable {
    private var continuation: UnsafeContinuation<HTTPResponse, any Error>?

    init(_ continuation: UnsafeContinuation<HTTPResponse, any Error>) {
        self.continuation = continuation
    }

    func complete(_ result: Result<HTTPResponse, any Error>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: result)
    }
}

/// One request on its way out, with the slot its response completes.
struct HTTPExchange: Sendable {
    var method: HTTPMethod
    var path: String
    var host: String
    var headers: [(String, String)]
    var body: ByteBuffer?
    var slot: ResponseSlot
    /// When the exchange times out (`timeout(sent: true)`, the connection closed): watched by the handler's timer
    /// on the channel's own event loop.
    var deadline: NIODeadline
    /// For a response that streams without end (etcd's watch): fed each body part as it arrives; when it returns
    /// true the response so far completes the exchange and the connection is closed.
    var enough: (@Sendable (ByteBuffer) -> Bool)? = nil
}

/// Writes `HTTPExchange`s as HTTP/1.1 requests and reads their responses (`HTTPResponseParser`) into one
/// `HTTPResponse` each: the whole HTTP layer of a client connection, on the raw bytes.
///
/// A workload client's connection carries one exchange at a time, but a node's status endpoint is shared (the
/// sampler and the nemesis both ask it), so exchanges written before the previous one was answered wait their
/// turn: HTTP/1.1 answers requests in the order they came. The handler also watches the deadline of the exchange
/// being answered with one timer per connection that is not re-armed per request: requests with the same timeout
/// follow each other, so the timer fires at the first one's deadline, finds a later deadline waiting (or none)
/// and moves to it. Scheduling and cancelling a timer per request was a measurable part of the cost per operation.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = ByteBuffer

    /// An exchange written and not answered yet.
    private struct Waiting {
        var slot: ResponseSlot
        var deadline: NIODeadline
        var enough: (@Sendable (ByteBuffer) -> Bool)?
    }

    /// Oldest first: the first is the one being answered.
    private var waiting = CircularBuffer<Waiting>(initialCapacity: 2)
    private var status = 0
    private var body: ByteBuffer?
    /// The timer watching the first waiting exchange's deadline and when it fires (≤ that deadline).
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture
    private var parser = HTTPResponseParser()
    /// What arrived and is not parsed yet (a partial head or chunk line).
    private var received: ByteBuffer?

    /// Where `send` writes from (set while the handler is in the pipeline).
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        do {
            let request = try begin(exchange, context: context)
            context.write(wrapOutboundOut(request), promise: promise)
        } catch {
            exchange.slot.complete(.failure(error))
            promise?.fail(error)
        }
    }

    /// Writes `exchange` from the channel's own loop, called directly rather than as a pipeline message.
    func send(_ exchange: HTTPExchange) {
        guard let context else {
            exchange.slot.complete(.failure(HTTPClientError.connectionLost(sent: false)))
            return
        }
        do {
            let request = try begin(exchange, context: context)
            context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        } catch {
            exchange.slot.complete(.failure(error))
        }
    }

    /// The request's bytes, with the exchange waiting for its answer and the first one's deadline watched.
    private func begin(_ exchange: HTTPExchange, context: ChannelHandlerContext) throws(HTTPClientError)
        -> ByteBuffer {
        let request = try Self.encode(exchange, allocator: context.channel.allocator)
        waiting.append(Waiting(slot: exchange.slot, deadline: exchange.deadline, enough: exchange.enough))
        parser.expectResponse(toHead: exchange.method == .HEAD)
        watchFirst(context: context)
        return request
    }

    /// Makes sure the timer fires no later than the first waiting exchange's deadline.
    private func watchFirst(context: ChannelHandlerContext) {
        guard let first = waiting.first, timer == nil || timerAt > first.deadline else { return }
        timer?.cancel()
        timerAt = first.deadline
        timer = context.eventLoop.scheduleTask(deadline: first.deadline) { [weak self] in
            guard let self else { return }
            self.timer = nil
            guard let first = self.waiting.first else { return }
            if first.deadline <= .now() {
                // The ones behind it were written too, and their answers would come after the one given up on.
                self.takeFirst()?.complete(.failure(HTTPClientError.timeout(sent: true)))
                self.failAll(HTTPClientError.connectionLost(sent: true))
                context.close(promise: nil)
            } else {
                self.watchFirst(context: context)
            }
        }
    }

    /// Takes the first waiting exchange out (its slot is for the caller to complete) and starts on the next.
    private func takeFirst() -> ResponseSlot? {
        guard let first = waiting.popFirst() else { return nil }
        status = 0
        body = nil
        return first.slot
    }

    /// Fails every waiting exchange.
    private func failAll(_ error: HTTPClientError) {
        while let first = waiting.popFirst() { first.slot.complete(.failure(error)) }
        status = 0
        body = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !waiting.isEmpty else {
            // Bytes nobody asked for (a late answer to a request that timed out cannot arrive: that closed the
            // connection): the connection's framing cannot be trusted any more.
            received = nil
            context.close(promise: nil)
            return
        }
        if received == nil { received = incoming } else { received!.writeBuffer(&incoming) }
        // Answers are handed over only after the connection is closed when it must be: a waiting task may resume
        // on another thread at once, and must not find this connection still open for its next request.
        // (Closing also runs `channelInactive`, which reads the parser: so not during the parse either.)
        var answered: [(ResponseSlot, Result<HTTPResponse, any Error>)] = []
        var closeNow = false
        do {
            try parser.parse(&received!) { part in
                guard !closeNow, let first = waiting.first else {
                    closeNow = true  // an answer after the answers: no request asked for it
                    return
                }
                switch part {
                case .head(let code):
                    status = code
                case .body(var bytes):
                    let done = first.enough?(bytes) ?? false
                    if body == nil { body = bytes } else { body!.writeBuffer(&bytes) }
                    if done {
                        let response = HTTPResponse(status: status, body: Array(body!.readableBytesView))
                        if let slot = takeFirst() { answered.append((slot, .success(response))) }
                        closeNow = true
                    }
                case .end(let close):
                    let response = HTTPResponse(status: status, body: body.map { Array($0.readableBytesView) } ?? [])
                    if let slot = takeFirst() { answered.append((slot, .success(response))) }
                    closeNow = closeNow || close
                }
            }
        } catch {
            let failure = HTTPClientError.badResponse(error.description)
            if let slot = takeFirst() { answered.append((slot, .failure(failure))) }
            closeNow = true
        }
        if received!.readableBytes == 0 {
            received = nil
        } else if waiting.isEmpty {
            // More than the answers: bytes no request asked for, which would be read as the next answer.
            received = nil
            closeNow = true
        } else if received!.readerIndex > 16 * 1024 {
            received!.discardReadBytes()
        }
        if closeNow { context.close(promise: nil) }  // fails the exchanges still waiting, in `channelInactive`
        for (slot, result) in answered { slot.complete(result) }
        if !closeNow { watchFirst(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !waiting.isEmpty {
            // A body that runs to the connection's end is complete now.
            var ended = false
            _ = parser.connectionClosed { part in
                if case .end = part { ended = true }
            }
            if ended {
                let response = HTTPResponse(status: status, body: body.map { Array($0.readableBytesView) } ?? [])
                takeFirst()?.complete(.success(response))
            }
        }
        failAll(HTTPClientError.connectionLost(sent: true))
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(HTTPClientError.connectionLost(sent: true))
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(HTTPClientError.connectionLost(sent: true))
        timer?.cancel()
        timer = nil
        self.context = nil
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
        if exchange.path.utf8.contains(32) {
            throw .invalidRequest("space in the path \"\(exchange.path.prefix(60))\"")
        }
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
