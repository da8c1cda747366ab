import ChaosNet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP echo server listening inside one node's namespace, one thread per connection.
///
/// It stands in for a node's peer port: what the round trips through it show is what the kernel's qdiscs do to
/// traffic between the namespaces, nothing else.
final class EchoServer: Sendable {
    let host: String
    let port: Int
    private let listener: Int32

    /// Listens on the node's lab address; the socket is created on the namespace thread inside `node`.
    init(lab: Lab, node: String, port: Int) throws {
        let host = lab.address(of: node)
        listener = try lab.withNamespace(of: node) { try TCPSocket.listen(host: host, port: port) }
        self.host = host
        self.port = port
        let listener = self.listener
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was closed
                }
                Thread.detachNewThread { Self.echo(connection) }
            }
        }
    }

    /// Stops accepting (connections already open end when their clients close).
    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private static func echo(_ fd: Int32) {
        defer { Glibc.close(fd) }
        while let bytes = try? TCPSocket.receive(fd), !bytes.isEmpty {
            guard (try? TCPSocket.sendAll(fd, bytes)) != nil else { return }
        }
    }
}
