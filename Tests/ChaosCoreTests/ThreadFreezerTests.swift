import ChaosControl
import ChaosNemesis
import Foundation
import Testing

/// Freezing one named thread of a real raft-node with ptrace, while its siblings keep running.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ThreadFreezerTests {
    /// A one-node raft-node cluster under the supervisor.
    static func startNode(_ supervisor: Supervisor) throws -> (ChildProcess, HTTPEndpoint, String) {
        let binary = try #require(TestSupport.binary("raft-node"), "raft-node is not built; run 'swift build' first")
        let directory = TestSupport.temporaryDirectory("freeze")
        let ports = (0..<2).map { _ in Int.random(in: 20_000..<30_000) }
        let spec = ProcessSpec(
            executable: binary,
            arguments: ["--id", "n1", "--data-dir", "\(directory)/data", "--listen-raft", "127.0.0.1:\(ports[0])",
                        "--listen-http", "127.0.0.1:\(ports[1])"],
            stdoutPath: "\(directory)/stdout.log", stderrPath: "\(directory)/stderr.log")
        return (try supervisor.spawn(spec), HTTPEndpoint(host: "127.0.0.1", port: ports[1]), directory)
    }

    static func state(_ pid: Int32, _ tid: Int32) -> Character? {
        ProcReader.threads(pid: pid).first { $0.tid == tid }?.state
    }

    /// Whether the node answers `/status` (as leader, when `leader` is set) within 5 s.
    static func answers(_ endpoint: HTTPEndpoint, leader: Bool = false) async -> Bool {
        for _ in 0..<50 {
            if let response = try? await endpoint.request(.GET, "/status", timeout: .milliseconds(500)),
               response.status == 200, !leader || response.json?["role"] as? String == "leader" { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func theWriterIsInTracingStopWhileTheNodeKeepsAnswering() async throws {
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try Self.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await Self.answers(endpoint, leader: true), "raft-node never became leader")
        let before = try await endpoint.request(.PUT, "/kv/warm", body: Array("w".utf8), timeout: .seconds(3))
        #expect(before.status == 200, "\(before.text)")

        let (frozen, latency) = try await ThreadFreezer.shared.freeze(pid: node.pid, matching: "^raft-writer$")
        #expect(frozen.map(\.name) == ["raft-writer"])
        #expect(latency < .seconds(1))
        let writer = frozen[0].tid
        #expect(Self.state(node.pid, writer) == "t", "the writer is not in tracing stop")
        let siblings = ProcReader.threads(pid: node.pid).filter { $0.tid != writer }
        #expect(!siblings.isEmpty && siblings.allSatisfy { $0.state != "t" }, "a sibling thread was stopped too")
        #expect(await Self.answers(endpoint), "the node stopped answering /status while only its writer is frozen")
        // A write needs the writer's fsync, so it cannot be acknowledged while the writer is frozen.
        let write = try? await endpoint.request(.PUT, "/kv/frozen", body: Array("x".utf8), timeout: .milliseconds(700))
        #expect(write?.status != 200, "a write was acknowledged while the WAL writer was frozen")

        await ThreadFreezer.shared.release([writer])
        try await Task.sleep(for: .milliseconds(50))
        #expect(Self.state(node.pid, writer) != "t", "the writer is still stopped after release")
        let after = try await endpoint.request(.PUT, "/kv/thawed", body: Array("y".utf8), timeout: .seconds(3))
        #expect(after.status == 200, "\(after.text)")
        await supervisor.killAll()
    }

    @Test func noMatchingThreadNamesTheNodesThreads() async throws {
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try Self.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await Self.answers(endpoint))
        do {
            _ = try await ThreadFreezer.shared.freeze(pid: node.pid, matching: "^no-such-thread$")
            Issue.record("freezing a thread that does not exist succeeded")
        } catch {
            #expect("\(error)".contains("raft-writer"), "\(error)")
            #expect("\(error)".contains("no thread of pid \(node.pid) matches '^no-such-thread$'"), "\(error)")
        }
        await supervisor.killAll()
    }

    @Test func aNodeKilledWhileFrozenIsStillReaped() async throws {
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try Self.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await Self.answers(endpoint))
        _ = try await ThreadFreezer.shared.freeze(pid: node.pid, matching: "^raft-(writer|apply)$")
        try supervisor.signal(node, SIGKILL)
        let status = await supervisor.exitStatus(of: node)
        #expect(status == .signaled(SIGKILL, coreDumped: false))
    }
}
