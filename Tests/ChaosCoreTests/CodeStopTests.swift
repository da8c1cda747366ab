import CChaosSys
import ChaosControl
import Foundation
import Testing
@testable import ChaosNemesis
@testable import ChaosPlan

/// `stop_at` on a real raft-node: breakpoints in its text hold the named thread at a function's entry, every other
/// thread passes, and the heal puts the original instructions back and leaves no thread traced or stopped.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CodeStopTests {
    /// The writer thread runs this once per batch of WAL records (debug and release builds alike).
    static let writerFunction = #"^RaftNode\.WALWriter\.process\("#

    /// The tracer of each thread of `pid` (0 for none).
    static func tracers(of pid: Int32) -> [Int32: Int32] {
        var result: [Int32: Int32] = [:]
        for thread in ProcReader.threads(pid: pid) {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread.tid)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("TracerPid:") }
            result[thread.tid] = line.flatMap { Int32($0.dropFirst("TracerPid:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        return result
    }

    /// `count` bytes of the process's memory at `address`.
    static func text(of pid: Int32, at address: UInt64, count: Int) -> [UInt8] {
        let fd = open("/proc/\(pid)/mem", O_RDONLY)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        return pread(fd, &bytes, count, off_t(Int64(bitPattern: address))) == count ? bytes : []
    }

    @Test func privateFunctionsAreNamedWithoutTheirFileHash() {
        #expect(ElfFunctions.withoutPrivateDiscriminators(
            "RaftNode.WALWriter.(process in _DCD1CD814B6353E0EA442F75C9F8C925)(Swift.Array<RaftNode.WALWriter.Job>) throws -> ()")
            == "RaftNode.WALWriter.process(Swift.Array<RaftNode.WALWriter.Job>) throws -> ()")
        #expect(ElfFunctions.withoutPrivateDiscriminators("closure #1 (Swift.Int) in f(x in y)") == "closure #1 (Swift.Int) in f(x in y)")
    }

    @Test func theWriterIsHeldAtItsFunctionAndEverythingIsPutBack() async throws {
        try #require(geteuid() == 0, "needs root to trace the node and write into its text")
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try ThreadFreezerTests.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await ThreadFreezerTests.answers(endpoint, leader: true), "raft-node never became leader")

        let (exe, base) = try #require(ElfFunctions.mapping(of: node.pid))
        let functions = try ElfFunctions.read(path: exe).matching(try Regex(Self.writerFunction))
        let function = try #require(functions.first, "no WALWriter.process in \(exe)")
        #expect(functions.count == 1, "\(functions.map(\.name))")
        let address = try ElfFunctions.read(path: exe).address(of: function.value, base: base)
        let original = Self.text(of: node.pid, at: address, count: 4)
        #expect(original.count == 4)

        let jitter = SchedulingJitter(threads: "^raft-writer$", minPause: .milliseconds(20), maxPause: .milliseconds(20),
                                      stopAt: Self.writerFunction)
        let session = try JitterSession.start(jitter, node: "n1", seed: 7) { node.pid }
        let stops = try #require(session.stops)
        // TracerPid names the tracing thread (the session's own), so: traced by a thread of this process.
        #expect(Self.tracers(of: node.pid).values.allSatisfy { $0 != 0 && FileManager.default.fileExists(atPath: "/proc/\(getpid())/task/\($0)") },
                "a thread of the node is not traced by chaos")
        #expect(Self.text(of: node.pid, at: address, count: 4) != original, "no trap instruction written")

        // Each write waits for its batch to be written: the writer is held 20 ms at every batch it starts.
        let start = ContinuousClock.now
        for i in 0..<10 {
            let put = try await endpoint.request(.PUT, "/kv/s\(i)", body: Array("v".utf8), timeout: .seconds(5))
            #expect(put.status == 200, "\(put.text)")
        }
        let elapsed = ContinuousClock.now - start

        let summary = session.stop()
        // Ten writes one after the other are at least eight batches (a batch may take two writes in).
        #expect(stops.heldCount >= 8, "\(summary)")
        #expect(elapsed >= .milliseconds(20) * stops.heldCount, "10 writes took \(elapsed) with the writer held 20 ms per batch")
        #expect(summary.contains("held") && summary.contains("passes"), "\(summary)")
        #expect(Self.text(of: node.pid, at: address, count: 4) == original, "the original instruction is not back")
        #expect(Self.tracers(of: node.pid).values.allSatisfy { $0 == 0 }, "a thread is still traced")
        #expect(ProcReader.threads(pid: node.pid).allSatisfy { $0.state != "t" }, "a thread is still stopped")
        let put = try await endpoint.request(.PUT, "/kv/after", body: Array("v".utf8), timeout: .seconds(5))
        #expect(put.status == 200, "a write failed after the heal: \(put.text)")
        await supervisor.killAll()
    }

    @Test func aPatternThatNamesNothingIsRefusedAndLeavesNothingTraced() async throws {
        try #require(geteuid() == 0, "needs root to trace the node")
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try ThreadFreezerTests.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await ThreadFreezerTests.answers(endpoint))
        let jitter = SchedulingJitter(stopAt: "NoSuchFunctionAnywhere")
        #expect {
            _ = try JitterSession.start(jitter, node: "n1", seed: 1) { node.pid }
        } throws: { error in
            "\(error)".contains("no function of") && "\(error)".contains("nm -C")
        }
        #expect(Self.tracers(of: node.pid).values.allSatisfy { $0 == 0 })
        await supervisor.killAll()
    }
}
