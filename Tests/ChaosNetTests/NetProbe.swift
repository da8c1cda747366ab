import Foundation
@testable import ChaosNet

#if canImport(Glibc)
import Glibc
#endif

/// Test-side probes of the lab: listeners in every namespace and connection attempts between them.
/// (`ip`/`tc` appear only here, to verify what chaos set through netlink.)
enum NetProbe {
    static let tcpPort = 7000
    static let udpPort = 7001

    /// Root (or the capabilities) is what the namespace tests need.
    static var isRoot: Bool { getuid() == 0 }

    /// A TCP listener and a non-blocking UDP socket on every node; the kernel completes handshakes itself.
    struct Listeners {
        var tcp: [String: Int32] = [:]
        var udp: [String: Int32] = [:]

        func close() {
            for fd in Array(tcp.values) + Array(udp.values) { Glibc.close(fd) }
        }
    }

    static func listen(in lab: Lab) throws -> Listeners {
        var listeners = Listeners()
        for node in lab.nodes {
            listeners.tcp[node] = try lab.withNamespace(of: node) { try bound(Int32(SOCK_STREAM.rawValue), tcpPort) }
            listeners.udp[node] = try lab.withNamespace(of: node) {
                try bound(Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), udpPort)
            }
            _ = Glibc.listen(listeners.tcp[node]!, 64)
        }
        return listeners
    }

    private static func bound(_ type: Int32, _ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetError(operation: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw NetError(operation: "bind port \(port)", errno: errno) }
        return fd
    }

    /// True when a TCP connection from `node`'s namespace (nil: the lab namespace) to `target` completes.
    static func tcp(_ lab: Lab, from node: String?, to target: String,
                    timeout: Duration = .milliseconds(400)) -> Bool {
        let create = { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0) }
        guard let fd = try? (node.map { try lab.withNamespace(of: $0, create) } ?? lab.withLabNamespace(create)),
              fd >= 0 else { return false }
        defer { close(fd) }
        do {
            try Lab.connect(fd, host: Subnet.parse(lab.address(of: target))!, port: tcpPort, timeout: timeout,
                            what: target)
            return true
        } catch {
            return false
        }
    }

    /// True when one UDP datagram from `from`'s socket arrives at `to`'s socket within `timeout`.
    static func udp(_ lab: Lab, _ listeners: Listeners, from: String, to: String,
                    timeout: Duration = .milliseconds(300)) -> Bool {
        let receiver = listeners.udp[to]!
        var scratch = [UInt8](repeating: 0, count: 64)
        while recv(receiver, &scratch, scratch.count, 0) > 0 {}  // drain leftovers
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(udpPort).bigEndian)
        address.sin_addr = in_addr(s_addr: Subnet.parse(lab.address(of: to))!.bigEndian)
        let message = Array("\(from)->\(to)".utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(listeners.udp[from]!, message, message.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == message.count else { return false }
        var poller = pollfd(fd: receiver, events: Int16(POLLIN), revents: 0)
        let millis = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, millis) == 1 else { return false }
        let count = recv(receiver, &scratch, scratch.count, 0)
        return count == message.count && Array(scratch[..<count]) == message
    }

    /// Runs a command (verification only) and returns its stdout.
    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `ip`/`tc` run inside `namespacePath`.
    @discardableResult
    static func inside(_ namespacePath: String, _ arguments: [String]) -> String {
        run(["nsenter", "--net=\(namespacePath)"] + arguments).output
    }

    /// The network namespace inodes held by any process or thread on the machine.
    static func namespaceInodes() -> Set<String> {
        var inodes: Set<String> = []
        let proc = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in proc where Int(pid) != nil {
            if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net") {
                inodes.insert(link)
            }
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            for task in tasks {
                let path = "/proc/\(pid)/task/\(task)/ns/net"
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                    inodes.insert(link)
                }
            }
        }
        return inodes
    }
}
