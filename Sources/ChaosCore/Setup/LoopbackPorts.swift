#if canImport(Glibc)
import Glibc
#endif

/// Finds free TCP ports on 127.0.0.1 by binding port 0, for nodes of a `network: loopback` run.
public enum LoopbackPorts {
    /// `count` distinct ports that were free a moment ago. All sockets are held open until every port has been
    /// chosen, so the kernel cannot hand out one port twice.
    public static func allocate(_ count: Int) -> [Int] {
        var sockets: [Int32] = []
        var ports: [Int] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            if bound { ports.append(Int(UInt16(bigEndian: address.sin_port))) }
        }
        return ports
    }
}
