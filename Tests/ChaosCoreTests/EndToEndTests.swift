import ChaosCore
import ChaosHistory
import Foundation
import Testing

/// The product's spine, end to end: real raft-node processes, real faults, real checkers.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EndToEndTests {
    @Test func quickstartFor15SecondsIsValidAndLeavesEveryFile() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory("e2e")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let options = RunOptions(planPath: "\(TestSupport.packageRoot)/plans/quickstart.yaml", outputRoot: out,
                                 seed: 7, duration: .seconds(15), quiet: true)
        let code = await Runner.run(options)

        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let directory = "\(out)/\(run)"
        for file in ["plan.yaml", "history.jsonl", "history.edn", "events.jsonl", "samples.jsonl", "exits.jsonl",
                     "results.json", "summary.md", "junit.xml", "report.html", "lag.csv", "nodes/n1/stderr.log",
                     "nodes/n3/data"] {
            #expect(FileManager.default.fileExists(atPath: "\(directory)/\(file)"), "missing \(file)")
        }
        let results = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json")))
                as? [String: Any])
        #expect(code == .valid, "results: \(results)")
        #expect(results["verdict"] as? String == "valid")
        #expect(results["interrupted"] as? Bool == false)
        let ops = try #require(results["ops"] as? [String: Int])
        #expect((ops["ok"] ?? 0) > 1000, "too few ok operations: \(ops)")
        // What the controller itself cost: its memory over the main phase and its CPU per operation.
        let controller = try #require(results["controller"] as? [String: Any])
        let start = try #require(controller["rssStartBytes"] as? Int), end = try #require(controller["rssEndBytes"] as? Int)
        #expect(start > 1 << 20 && end > 1 << 20 && (controller["rssPeakBytes"] as? Int ?? 0) >= max(start, end))
        #expect(controller["operations"] as? Int == ops["invoke"])
        #expect((controller["cpuSeconds"] as? Double ?? 0) > 0)
        #expect((controller["judgedPeakBytes"] as? Int ?? 0) >= end)
        #expect(try String(contentsOfFile: "\(directory)/summary.md", encoding: .utf8).contains("- controller: RSS "))

        // The kill of the leader at 8 s was injected and healed, and its exit is attributed to the nemesis.
        let events = try String(contentsOfFile: "\(directory)/events.jsonl", encoding: .utf8)
        #expect(events.contains(#""phase":"inject""#) && events.contains(#""fault":"kill""#))
        #expect(events.contains(#""phase":"heal""#))
        let exits = try String(contentsOfFile: "\(directory)/exits.jsonl", encoding: .utf8)
        #expect(exits.contains(#""cause":"kill""#))
        #expect(!exits.contains(#""cause":"unexpected""#))
        // Nothing outlives the run.
        #expect(TestSupport.processes(matching: directory).isEmpty)

        // history.edn, for Jepsen tooling, reads back to exactly the operations of history.jsonl.
        let native = try HistoryReader.read(path: "\(directory)/history.jsonl", format: .jsonl).history
        let edn = try HistoryReader.read(path: "\(directory)/history.edn", format: .edn).history
        #expect(native.count == ops.values.reduce(0, +))
        #expect(edn == native)
    }

    @Test func interruptedRunHealsStopsNodesAndExits130() async throws {
        let out = TestSupport.temporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let process = try TestSupport.startChaosRun(plan: "\(TestSupport.packageRoot)/plans/quickstart.yaml", out: out)
        try await Task.sleep(for: .seconds(6))
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(run)/results.json"))
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(results["interrupted"] as? Bool == true)
        #expect(results["verdict"] as? String == "unknown")
        let history = try String(contentsOfFile: "\(out)/\(run)/history.jsonl", encoding: .utf8)
        // How many operations ran before Ctrl-C depends on the load; that they were kept does not.
        #expect(history.split(separator: "\n").count > 10, "the history recorded before Ctrl-C was lost")
        #expect(TestSupport.processes(matching: "\(out)/\(run)").isEmpty, "nodes outlived the interrupted run")
    }

    @Test func nodesDieWithAKilledController() async throws {
        let out = TestSupport.temporaryDirectory("sigkill")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let process = try TestSupport.startChaosRun(plan: "\(TestSupport.packageRoot)/plans/quickstart.yaml", out: out)
        try await Task.sleep(for: .seconds(5))
        #expect(TestSupport.processes(matching: out).count >= 3, "the nodes never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let deadline = ContinuousClock.now + .seconds(3)
        while !TestSupport.processes(matching: out).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(TestSupport.processes(matching: out).isEmpty, "raft-node processes outlived a SIGKILLed chaos")
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let history = try String(contentsOfFile: "\(out)/\(run)/history.jsonl", encoding: .utf8)
        #expect(!history.isEmpty, "history.jsonl was not streamed before the controller died")
    }

    @Test func aClusterThatNeverElectsExits4QuotingTheNodesStderr() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory("nostart")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = "\(out)/plan.yaml"
        FileManager.default.createFile(atPath: plan, contents: Data("""
            name: nostart
            duration: 5s
            cluster: { system: raft-node, nodes: 3, args: ["--bogus-flag"], start_timeout: 3s }
            workload: { kind: register, keys: 2, clients: 2 }
            """.utf8))
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, quiet: true))
        #expect(code == .environment)
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(run)/results.json"))
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(results["verdict"] as? String == "unknown")
        let note = try #require(results["note"] as? String)
        #expect(note.contains("exited with code"), "\(note)")
        #expect(note.contains("Unknown option '--bogus-flag'"), "\(note)")
    }
}
