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
    /// For a response that streams without end (etcd's watch): fed each body part as it arrives; when it returns
    /// true the response so far completes the exchange and the connection is closed.
    var enough: (@Sendable (ByteBuffer) -> Bool)? = nil
}

/// Turns `HTTPExchange`s into request parts and collects the response parts into one `HTTPResponse`.
///
/// A connection carries one exchange at a time (clients here are sequential), so one pending promise suffices.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPResponse>?
    private var enough: (@Sendable (ByteBuffer) -> Bool)?
    private var status = 0
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending = exchange.promise
        enough = exchange.enough
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
            if done, let promise = pending {
                pending = nil
                promise.succeed(HTTPResponse(status: status, body: Array(body!.readableBytesView)))
                context.close(promise: nil)
            }
        case .end:
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            pending?.succeed(HTTPResponse(status: status, body: bytes))
            pending = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(HTTPClientError.connectionLost(sent: true))
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pending?.fail(HTTPClientError.connectionLost(sent: true))
        pending = nil
        context.close(promise: nil)
    }
}
