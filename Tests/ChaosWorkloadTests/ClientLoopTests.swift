import ChaosHistory
import ChaosPlan
import Foundation
import Glibc
import Testing
@testable import ChaosClient
@testable import ChaosControl
@testable import ChaosWorkload

/// Workload clients run on their connections' event loop (`ClientLoop`), and that changes nothing they record:
/// against nodes that accept connections but never answer, every mutation ends `info` and every read `fail`,
/// a process id is retired after its `info`, and cancelling the workload (Ctrl-C) ends its rate limiter's
/// waits at once.
@Suite struct ClientLoopTests {
    /// A TCP server on 127.0.0.1 that accepts every connection, reads what comes and never answers.
    final class SilentServer: @unchecked Sendable {
        let fd: Int32
        let port: Int
        private var clients: [Int32] = []
        private let lock = NSLock()

        init() {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            listen(listener, 128)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            fd = listener
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread { [self] in serve() }.start()
        }

        private func serve() {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    for client in lock.withLock({ clients }) { close(client) }
                    close(fd)
                    return
                }
                // Held open, never read: the request sits in the socket's buffer, as on a paused node.
                lock.withLock { clients.append(client) }
            }
        }

        func stop() {
            for client in lock.withLock({ clients }) { shutdown(client, Int32(SHUT_RDWR)) }
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    static func nodes(_ servers: [SilentServer]) -> [NodeAddress] {
        servers.enumerated().map { i, server in
            NodeAddress(id: "n\(i + 1)", host: "127.0.0.1", peerPort: 1, clientPort: server.port)
        }
    }

    static let system = RaftNodeSystem(binary: "/bin/true")

    @Test func aSessionsRequestsStayOnItsLoop() async {
        let servers = (0..<3).map { _ in SilentServer() }
        defer { servers.forEach { $0.stop() } }
        let loop = ClientLoop.next()
        // Without the preference a task runs on the global pool, not on the loop: the check below can fail.
        #expect(await Task { loop.inLoop }.value == false)
        let session = Self.system.makeClient(cluster: Self.nodes(servers), loop: loop)
        let outcomes = await Task(executorPreference: loop) { () -> [String] in
            var seen: [String] = []
            seen.append(loop.inLoop ? "start on loop" : "start elsewhere")
            switch await session.write("k1", "1", timeout: .milliseconds(150)) {
            case .info: seen.append("write info")
            default: seen.append("write not info")
            }
            seen.append(loop.inLoop ? "on loop" : "moved")
            switch await session.read("k1", timeout: .milliseconds(150)) {
            case .fail: seen.append("read fail")
            default: seen.append("read not fail")
            }
            seen.append(loop.inLoop ? "on loop" : "moved")
            switch await session.cas("k1", from: "1", to: "2", timeout: .milliseconds(150)) {
            case .info: seen.append("cas info")
            default: seen.append("cas not info")
            }
            seen.append(loop.inLoop ? "on loop" : "moved")
            await loop.sleep(for: .milliseconds(5))
            seen.append(loop.inLoop ? "on loop" : "moved")
            return seen
        }.value
        session.close()
        #expect(outcomes == ["start on loop", "write info", "on loop", "read fail", "on loop", "cas info", "on loop",
                             "on loop"])
    }

    /// Every connection of a session is bootstrapped on the session's loop (not NIO's whole group), so the task
    /// and its channels share one thread.
    @Test func aSessionsConnectionsLiveOnItsLoop() {
        let loop = ClientLoop.next()
        let cluster = (1...3).map {
            NodeAddress(id: "n\($0)", host: "127.0.0.1", peerPort: 1000 + $0, clientPort: 2000 + $0)
        }
        let endpoints = ClientEndpoints(cluster: cluster, dialer: nil, loop: loop)
        for position in cluster.indices {
            #expect(endpoints.endpoint(at: position).group as AnyObject === loop.eventLoop as AnyObject)
        }
    }

    @Test func timeoutsAreInfoForMutationsAndFailForReads() async throws {
        let servers = (0..<3).map { _ in SilentServer() }
        defer { servers.forEach { $0.stop() } }
        let recorder = try HistoryRecorder(path: nil)
        let spec = WorkloadSpec(kind: .casRegister, keys: 2, clients: 4, timeout: .milliseconds(150))
        let workload = Workload(spec: spec, system: Self.system, cluster: Self.nodes(servers), recorder: recorder,
                                seed: 7)
        await workload.run(until: .now + .milliseconds(800))
        let operations = recorder.finish().operations
        let completions = operations.filter { $0.type != .invoke }
        #expect(operations.count(where: { $0.type == .invoke }) == completions.count)
        #expect(completions.count >= 8)
        for op in completions {
            #expect(op.type == (op.f == "read" ? .fail : .info), "\(op)")
        }
        // After an `info` a client goes on under a fresh process id.
        for process in Set(completions.map(\.process)) {
            #expect(completions.count(where: { $0.process == process && $0.type == .info }) <= 1)
        }
    }

    @Test func cancellingEndsTheRateLimitersWait() async throws {
        let servers = (0..<3).map { _ in SilentServer() }
        defer { servers.forEach { $0.stop() } }
        let recorder = try HistoryRecorder(path: nil)
        // Two clients at 0.25 ops/s: each waits 8 s between operations.
        let spec = WorkloadSpec(kind: .casRegister, keys: 2, clients: 2, rate: 0.25, timeout: .milliseconds(100))
        let workload = Workload(spec: spec, system: Self.system, cluster: Self.nodes(servers), recorder: recorder,
                                seed: 7)
        let begin = ContinuousClock.now
        let run = Task { await workload.run(until: .now + .seconds(60)) }
        try await Task.sleep(for: .milliseconds(400))
        run.cancel()
        await run.value
        #expect(ContinuousClock.now - begin < .seconds(3))
        let operations = recorder.finish().operations
        #expect(operations.count(where: { $0.type == .invoke }) == operations.count(where: { $0.type != .invoke }))
    }
}
