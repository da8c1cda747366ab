import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Blocking IPv4 TCP sockets, enough for a ping-pong and a one-shot HTTP exchange.
///
/// A socket keeps the network namespace it was created in, so callers create it on the lab's namespace thread
/// (`Lab.withNamespace`) and use it from any thread afterwards.
enum TCPSocket {
    /// A new blocking TCP socket with TCP_NODELAY (a 1-byte ping must not wait for Nagle).
    static func make() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", "create a TCP socket") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// A listening socket bound to `host:port` (dotted quad), in the calling thread's namespace.
    static func listen(host: String, port: Int) throws -> Int32 {
        let fd = try make()
        var address = try socketAddress(host, port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let error = failure("bind/listen", "listen on \(host):\(port)")
            close(fd)
            throw error
        }
        return fd
    }

    /// Connects `fd` to `host:port`, blocking (the kernel's SYN retries bound it).
    static func connect(_ fd: Int32, host: String, port: Int) throws {
        var address = try socketAddress(host, port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw failure("connect", "connect to \(host):\(port)") }
    }

    /// Makes `recv` and `send` on `fd` give up after `timeout` instead of blocking forever.
    static func setTimeout(_ fd: Int32, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends every byte of `bytes`.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { throw failure("send", "send \(bytes.count - offset) bytes") }
            offset += sent
        }
    }

    /// Receives up to `limit` bytes; an empty result means the peer closed the connection.
    static func receive(_ fd: Int32, limit: Int = 65_536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, limit, 0) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure("recv", "receive") }
            return Array(buffer.prefix(count))
        }
    }

    private static func socketAddress(_ host: String, _ port: Int) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw KernelCheckError("parse address", "'\(host)' is not an IPv4 address")
        }
        return address
    }

    private static func failure(_ call: String, _ operation: String) -> KernelCheckError {
        KernelCheckError(operation, "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))")
    }
}
