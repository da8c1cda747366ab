import ChaosSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Client sockets that live in the lab namespace, for clients and the sampler.
extension Lab {
    /// A new close-on-exec socket created inside the lab namespace (not yet connected).
    ///
    /// - Parameter type: `SOCK_STREAM` (default) or `SOCK_DGRAM`, optionally with `SOCK_NONBLOCK`.
    public func makeSocket(type: Int32 = Int32(SOCK_STREAM.rawValue)) throws(NetError) -> Int32 {
        try lab.perform { () throws(NetError) -> Int32 in
            try systemCall("socket", "create a socket in the lab namespace") {
                socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
        }
    }

    /// A TCP socket from the lab namespace connected to `node:port`, blocking up to `timeout`.
    ///
    /// The result suits SwiftNIO's `ClientBootstrap.withConnectedSocket(_:)`. The connect itself runs on the
    /// calling thread (the socket is already in the lab namespace), so the namespace thread stays free.
    /// - Parameter asClient: send from the clients' address (`Subnet.clientsHost`), which `clients: affected`
    ///   faults cut, instead of the bridge address the sampler uses.
    /// - Throws: `NetError` for a refused, unreachable or timed-out connection.
    public func connect(to node: String, port: Int, timeout: Duration = .seconds(2),
                        asClient: Bool = false) throws(NetError) -> Int32 {
        guard indexes[node] != nil else { throw unknownNode(node) }
        let fd = try makeSocket(type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        do throws(NetError) {
            if asClient { try Self.bind(fd, host: subnet.clientsHost) }
            try Self.connect(fd, host: subnet.host(indexes[node]!), port: port, timeout: timeout,
                             what: "\(node) (\(address(of: node)):\(port))")
            // Back to blocking: callers (and NIO, which sets its own flags) expect an ordinary socket.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Binds `fd` to `host` (any port), so its packets leave from that address.
    static func bind(_ fd: Int32, host: UInt32) throws(NetError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: host.bigEndian)
        try systemCall("bind", "bind a client socket to \(Subnet.format(host))") {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// Connects non-blocking `fd` to `host:port` within `timeout`.
    static func connect(_ fd: Int32, host: UInt32, port: Int, timeout: Duration, what: String) throws(NetError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: host.bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return }
        guard errno == EINPROGRESS else {
            throw NetError(operation: "connect to \(what)", call: "connect", errno: errno)
        }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let millis = Int32(clamping: timeout.milliseconds)
        let ready = try systemCall("poll", "wait for the connection to \(what)") { poll(&poller, 1, millis) }
        if ready == 0 {
            throw NetError(operation: "connect to \(what)", call: "connect", errno: ETIMEDOUT,
                           hint: "no answer within \(timeout)")
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 {
            throw NetError(operation: "connect to \(what)", call: "connect", errno: error)
        }
    }
}
