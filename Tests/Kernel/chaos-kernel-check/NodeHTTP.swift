import ChaosNet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One-shot HTTP/1.1 requests to raft-node, over a socket the lab connects from its own namespace.
///
/// Blocking and without keep-alive on purpose: each poll is independent, so one wedged connection cannot
/// hide the next answer, and a node that answers nothing in time simply yields an error for that poll.
struct NodeHTTP {
    let lab: Lab
    let port: Int

    /// What one node said.
    struct Response {
        var status: Int
        var json: [String: Any]?
    }

    /// Sends `method path` with `body` to `node` and reads the whole answer within `timeout`.
    func request(_ node: String, _ method: String, _ path: String, body: String = "",
                 timeout: Duration = .seconds(5)) throws -> Response {
        let fd = try lab.connect(to: node, port: port, timeout: timeout)
        defer { close(fd) }
        TCPSocket.setTimeout(fd, timeout)
        let head = "\(method) \(path) HTTP/1.1\r\nHost: \(lab.address(of: node)):\(port)\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        try TCPSocket.sendAll(fd, Array((head + body).utf8))
        var data: [UInt8] = []
        while true {
            let chunk = try TCPSocket.receive(fd)
            if chunk.isEmpty { break }
            data += chunk
            if let response = Self.parse(data) { return response }
        }
        guard let response = Self.parse(data, closed: true) else {
            throw KernelCheckError("\(method) \(path) on \(node)",
                                   "unreadable answer: \(String(decoding: data, as: UTF8.self))")
        }
        return response
    }

    /// The node's `/status` fields that the checks use.
    func status(_ node: String, timeout: Duration = .seconds(3)) throws -> NodeView {
        let response = try request(node, "GET", "/status", timeout: timeout)
        guard response.status == 200, let json = response.json else {
            throw KernelCheckError("GET /status on \(node)", "HTTP \(response.status)")
        }
        return NodeView(node: node, role: json["role"] as? String ?? "?", term: Self.int(json["term"]),
                        leader: json["leader"] as? String, commitIndex: Self.int(json["commitIndex"]))
    }

    /// A complete response in `data`, or nil while bytes are still missing.
    private static func parse(_ data: [UInt8], closed: Bool = false) -> Response? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = data.indices.first(where: { data[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: data[..<end], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        let length = head.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        let body = Array(data[(end + separator.count)...])
        if let length {
            guard body.count >= length else { return nil }
        } else if !closed {
            return nil
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        return Response(status: status, json: json)
    }

    static func int(_ any: Any?) -> Int64 {
        switch any {
        case let n as Int: Int64(n)
        case let n as Int64: n
        case let n as Double: Int64(n)
        default: -1
        }
    }
}

/// One node's view of the cluster, from `/status`.
struct NodeView: CustomStringConvertible {
    var node: String
    var role: String
    var term: Int64
    var leader: String?
    var commitIndex: Int64

    var description: String { "\(node) \(role) term \(term) leader \(leader ?? "-") commit \(commitIndex)" }
}
