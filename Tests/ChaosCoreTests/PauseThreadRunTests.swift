import ChaosCore
import Foundation
import Testing

/// The `pause-thread` fault inside a real run: a follower's WAL writer frozen by ptrace and released.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PauseThreadRunTests {
    @Test func aFollowersWriterIsFrozenAndReleasedAndTheRunStaysValid() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory("pause-thread")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = "\(out)/plan.yaml"
        try """
            name: pause-thread
            duration: 8s
            cluster: { system: raft-node, nodes: 3, network: loopback }
            workload: { kind: cas-register, keys: 4, clients: 4, rate: 300/s, timeout: 1s }
            nemesis:
              - { at: 2s, fault: pause-thread, target: follower, thread: "^raft-writer$", for: 3s }
            checks: { stats: {}, crash: {}, linearizable: {}, liveness: {} }
            """.write(toFile: plan, atomically: true, encoding: .utf8)
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 5, quiet: true))
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let events = try String(contentsOfFile: "\(out)/\(run)/events.jsonl", encoding: .utf8)
        #expect(code == .valid, "\(events)")
        #expect(events.contains(#""fault":"pause-thread""#) && events.contains(#""phase":"inject""#))
        #expect(events.contains("raft-writer ("), "the event does not name the frozen thread: \(events)")
        #expect(events.contains(#""phase":"heal""#), "the writer was not released: \(events)")
        #expect(!events.contains(#""phase":"error""#), "\(events)")
    }
}
