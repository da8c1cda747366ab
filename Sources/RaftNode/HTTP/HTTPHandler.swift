import Foundation
import NIOCore
import NIOHTTP1

/// Routes one connection's requests to the node and writes JSON responses.
///
/// Routes: `GET /status`, `PUT /kv/{key}`, `GET /kv/{key}`, `POST /kv/{key}/cas`, `POST /log`,
/// `GET /raft/log?from=I&to=J[&contents=1]`, and `/admin/members` (`HTTPHandler+Members.swift`).
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBody = 1 << 20
    let node: RaftNodeServer
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false

    init(node: RaftNodeServer) {
        self.node = node
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
            tooLarge = false
        case .body(var chunk):
            if tooLarge { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > HTTPHandler.maxBody {
                tooLarge = true
                body = nil
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let h = head else { return }
            head = nil
            if tooLarge {
                respond(context, h, .payloadTooLarge, JSON.error("body over \(HTTPHandler.maxBody) bytes"))
                return
            }
            let text = body.map { String(buffer: $0) } ?? ""
            body = nil
            route(context, h, text)
        }
    }

    private func route(_ context: ChannelHandlerContext, _ h: HTTPRequestHead, _ text: String) {
        let (path, query) = HTTPHandler.split(h.uri)
        let loop = context.eventLoop
        switch (h.method, path) {
        case (.GET, "/status"):
            reply(context, h, node.status().map { (.ok, JSON.status($0)) })
        case (.POST, "/log"):
            reply(context, h, node.propose(.append(Array(text.utf8)), on: loop).map {
                (.ok, "{\"index\":\($0.index)}")
            })
        case (.GET, "/raft/log"):
            guard let from = query["from"].flatMap(UInt64.init), let to = query["to"].flatMap(UInt64.init) else {
                respond(context, h, .badRequest, JSON.error("need numeric ?from=I&to=J"))
                return
            }
            let contents = query["contents"] == "1"
            reply(context, h, node.logEntries(from: from, to: to).map { r in
                let entries = r.entries.map {
                    "{\"index\":\($0.index),\"term\":\($0.term),\"digest\":\"\(HTTPHandler.digest($0.data))\""
                        + (contents ? JSON.contents($0.data) : "") + "}"
                }
                return (.ok, "{\"commitIndex\":\(r.commitIndex),\"entries\":[\(entries.joined(separator: ","))]}")
            })
        case (_, _) where path == "/admin/members" || path.hasPrefix("/admin/members/"):
            routeMembers(context, h, path, text)
        case (_, _) where path.hasPrefix("/kv/"):
            routeKV(context, h, String(path.dropFirst(4)), text)
        default:
            respond(context, h, .notFound, JSON.error("no route \(h.method) \(path)"))
        }
    }

    private func routeKV(_ context: ChannelHandlerContext, _ h: HTTPRequestHead, _ rawKey: String, _ text: String) {
        let loop = context.eventLoop
        let isCAS = h.method == .POST && rawKey.hasSuffix("/cas")
        let encoded = isCAS ? String(rawKey.dropLast(4)) : rawKey
        guard let key = encoded.removingPercentEncoding, !key.isEmpty else {
            respond(context, h, .badRequest, JSON.error("missing or malformed key in \(h.uri)"))
            return
        }
        switch h.method {
        case .PUT:
            reply(context, h, node.propose(.put(key: key, value: text), on: loop).map {
                (.ok, "{\"index\":\($0.index)}")
            })
        case .GET:
            reply(context, h, node.read(key, on: loop).map { value in
                value.map { (.ok, "{\"value\":\(JSON.string($0))}") } ?? (.notFound, JSON.error("key not found"))
            })
        case .POST where isCAS:
            guard let obj = JSON.parseStringObject(text), let from = obj["from"], let to = obj["to"] else {
                respond(context, h, .badRequest, JSON.error("cas body must be {\"from\":\"…\",\"to\":\"…\"}"))
                return
            }
            reply(context, h, node.propose(.cas(key: key, from: from, to: to), on: loop).map {
                (.ok, "{\"ok\":\($0.ok),\"index\":\($0.index)}")
            })
        default:
            respond(context, h, .methodNotAllowed, JSON.error("method \(h.method) not allowed on /kv/{key}"))
        }
    }

    /// Writes the future's response, or the mapped error of a failed one.
    func reply(_ context: ChannelHandlerContext, _ h: HTTPRequestHead,
                       _ future: EventLoopFuture<(HTTPResponseStatus, String)>) {
        future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let (status, json)):
                self.respond(context, h, status, json)
            case .failure(NodeAPIError.notLeader(let leader, let leaderHTTP)):
                self.respond(context, h, .misdirectedRequest,
                             "{\"error\":\"not leader\",\"leader\":\(JSON.optional(leader)),"
                                 + "\"leaderHttp\":\(JSON.optional(leaderHTTP?.description))}")
            case .failure(NodeAPIError.unavailable(let why)):
                self.respond(context, h, .serviceUnavailable, JSON.error(why))
            case .failure(MembershipAPIError.invalid(let why)):
                self.respond(context, h, .badRequest, JSON.error(why))
            case .failure(NodeAPIError.refused(let why)):
                self.respond(context, h, .serviceUnavailable, "{\"error\":\(JSON.string(why)),\"definite\":true}")
            case .failure(let error):
                self.respond(context, h, .serviceUnavailable, JSON.error("\(error)"))
            }
        }
    }

    func respond(_ context: ChannelHandlerContext, _ h: HTTPRequestHead, _ status: HTTPResponseStatus,
                         _ json: String) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(json.utf8.count))
        let keepAlive = h.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: status, headers: headers))),
                      promise: nil)
        var buf = context.channel.allocator.buffer(capacity: json.utf8.count)
        buf.writeString(json)
        context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        let done = context.writeAndFlushPromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            done.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { query[String(kv[0])] = String(kv[1]) }
        }
        return (String(uri[..<q]), query)
    }

    /// Hex FNV-1a-64 of an entry's bytes: enough to tell replicas apart.
    static func digest(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension ChannelHandlerContext {
    func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}
