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

/// Turns `HTTPExchange`s into request parts and collects the response parts into one `HTTPResponse`.
///
/// A connection carries one exchange at a time (clients here are sequential), so one pending promise suffices.
/// The handler also keeps the exchange's deadline timer: set when the request is written, cancelled when the
/// exchange ends, both on the event loop.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPResponse>?
    private var enough: (@Sendable (ByteBuffer) -> Bool)?
    private var status = 0
    private var body: ByteBuffer?
    private var timer: Scheduled<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending = exchange.promise
        enough = exchange.enough
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
        var head = HTTPRequestHead(version: .http1_1, method: exchange.method, uri: exchange.path)
        head.headers.add(name: "Host", value: exchange.host)
        for (name, value) in exchange.headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: String(exchange.body?.readableBytes ?? 0))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = exchange.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body = nil
        case .body(var part):
            let done = enough?(part) ?? false
            if body == nil { body = part } else { body!.writeBuffer(&part) }
            if done, pending != nil {
                finish(.success(HTTPResponse(status: status, body: Array(body!.readableBytesView))))
                context.close(promise: nil)
            }
        case .end:
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            finish(.success(HTTPResponse(status: status, body: bytes)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
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
}
