import RaftNode
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client with one keep-alive connection, for tests and benchmarks that talk to
/// raft-node (no HTTP client package is available here). Not thread-safe: one per thread.
public final class NodeHTTPClient {
    public let address: HostPort
    public let timeoutMs: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    /// A response: status code and body text.
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public init(_ address: HostPort, timeoutMs: Int = 3000) {
        self.address = address
        self.timeoutMs = timeoutMs
    }

    deinit { disconnect() }

    public func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer.removeAll()
    }

    /// Sends one request and reads the response; reconnects once if a kept-alive connection was closed.
    /// - Throws: `RaftNodeError.network` when the node cannot be reached or answers garbage.
    public func request(_ method: String, _ path: String, body: String = "") throws -> Response {
        let reused = fd >= 0
        do {
            return try attempt(method, path, body)
        } catch where reused {
            disconnect()
            return try attempt(method, path, body)
        }
    }

    private func attempt(_ method: String, _ path: String, _ body: String) throws -> Response {
        if fd < 0 { try connectSocket() }
        let req = "\(method) \(path) HTTP/1.1\r\nHost: \(address)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let bytes = Array(req.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw failure("send") }
            sent += n
        }
        guard let headerEnd = try readUntilHeaderEnd() else { throw failure("connection closed") }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw failure("bad status line") }
        var length = 0
        var close = false
        for line in lines.dropFirst() {
            let kv = line.split(separator: ":", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let name = kv[0].lowercased()
            let value = kv[1].trimmingCharacters(in: " ")
            if name == "content-length" { length = Int(value) ?? 0 }
            if name == "connection" && value.lowercased() == "close" { close = true }
        }
        while buffer.count < length { guard try fill() else { throw failure("short body") } }
        let text = String(decoding: buffer[..<length], as: UTF8.self)
        buffer.removeFirst(length)
        if close { disconnect() }
        return Response(status: status, body: text)
    }

    private func readUntilHeaderEnd() throws -> Int? {
        var searchFrom = 0
        while true {
            if buffer.count >= 4 {
                var i = max(0, searchFrom - 3)
                while i + 3 < buffer.count {
                    if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
                    i += 1
                }
                searchFrom = buffer.count
            }
            guard try fill() else { return nil }
        }
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw failure("recv") }
        if n == 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func connectSocket() throws {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(address.port).bigEndian)
        guard inet_pton(AF_INET, address.host == "localhost" ? "127.0.0.1" : address.host, &addr.sin_addr) == 1 else {
            throw RaftNodeError(.network, "cannot parse IPv4 address '\(address.host)'")
        }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var tv = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0 else {
            let e = failure("connect")
            disconnect()
            throw e
        }
    }

    private func failure(_ what: String) -> RaftNodeError {
        let e = errno
        let err = RaftNodeError(.network, "HTTP \(what) to \(address) failed: \(String(cString: strerror(e)))",
                                errno: e)
        disconnect()
        return err
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
