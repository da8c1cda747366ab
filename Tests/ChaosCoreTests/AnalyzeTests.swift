import ChaosCommands
import ChaosCore
import ChaosReport
import Foundation
import Testing

/// `chaos analyze` on the three kinds of run directory a real run leaves: finished, interrupted (SIGINT) and
/// abandoned (controller SIGKILLed, no results.json). Real raft-node processes, a real chaos process killed.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct AnalyzeTests {
    static let quickstart = "\(TestSupport.packageRoot)/plans/quickstart.yaml"

    static func latest(_ out: String) throws -> String {
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        return "\(out)/\(run)"
    }

    /// Starts `chaos run` as its own process, lets it record for `seconds`, then sends `signal`.
    static func runAndSignal(_ signal: Int32, after seconds: Int, out: String) async throws -> String {
        let process = try TestSupport.startChaosRun(plan: quickstart, out: out)
        try await Task.sleep(for: .seconds(seconds))
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return try latest(out)
    }

    @Test func finishedRunIsJudgedAgainWithOtherChecksKeepingTheOriginals() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory("analyze-finished")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let code = await Runner.run(RunOptions(planPath: Self.quickstart, outputRoot: out, seed: 11,
                                               duration: .seconds(12), quiet: true))
        let directory = try Self.latest(out)
        let original = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/\(StoredRun.nodeLogsFile)"),
                "the run keeps the node logs it read for analyze")

        // The plan's own checks: the same checks and verdicts as the run's judging (one code path).
        let (again, written) = try await Analysis.analyze(.init(runDirectory: directory))
        #expect(written == "\(directory)/analysis")
        let first = try JSONDecoder().decode(RunResults.self, from: original)
        #expect(again.checks.map(\.name) == first.checks.map(\.name))
        #expect(again.checks.map(\.verdict) == first.checks.map(\.verdict), "\(again.checks.map(\.summary))")
        #expect(again.verdict == first.verdict)
        // Both judged with the committed log the run followed (log.jsonl, read back by StoredRun).
        let linearizable = again.checks.first { $0.name == .linearizable }
        #expect(linearizable?.summary.contains("log: ") == true, "\(linearizable?.summary ?? "")")
        #expect(code == .valid || code == .unknown)
        for file in ["results.json", "report.html", "summary.md", "junit.xml", "lag.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(written)/\(file)"), "missing analysis/\(file)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json")) == original,
                "the run's own results.json was overwritten without --replace")

        // Other checks and settings from the command line.
        let (other, _) = try await Analysis.analyze(.init(
            runDirectory: directory, checks: ["stats:min-availability=10%", "linearizable:model=cas-register"],
            output: "\(out)/other"))
        #expect(other.checks.map(\.name) == [.stats, .linearizable])
        #expect(other.checks.allSatisfy { $0.verdict != .invalid }, "\(other.checks.map(\.summary))")

        // --replace writes over the run's own results.
        _ = try await Analysis.analyze(.init(runDirectory: directory, checks: ["stats"], replace: true))
        let replaced = try JSONDecoder().decode(
            RunResults.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json")))
        #expect(replaced.checks.map(\.name) == [.stats])
    }

    @Test func interruptedRunIsJudgedOnWhatItRecorded() async throws {
        let out = TestSupport.temporaryDirectory("analyze-interrupted")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let directory = try await Self.runAndSignal(SIGINT, after: 7, out: out)
        let (results, _) = try await Analysis.analyze(.init(runDirectory: directory, checks: ["stats", "crash"]))
        #expect(results.interrupted)
        #expect(results.note?.contains("interrupted") == true, "\(results.note ?? "")")
        #expect(results.ops.ok > 10) // what was recorded is read back; how much depends on the machine's load
        #expect(results.checks.map(\.name) == [.stats, .crash])
        #expect(results.verdict == .valid, "\(results.checks.map(\.summary))")
    }

    @Test func runWhoseControllerWasKilledIsJudgedAndSaysWhatItCannotJudge() async throws {
        let out = TestSupport.temporaryDirectory("analyze-killed")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let directory = try await Self.runAndSignal(SIGKILL, after: 7, out: out)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/results.json"))
        // Nodes die with their controller (PR_SET_PDEATHSIG); wait so they stop writing their logs.
        let deadline = ContinuousClock.now + .seconds(5)
        while !TestSupport.processes(matching: directory).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }

        let (results, written) = try await Analysis.analyze(.init(runDirectory: directory))
        #expect(results.interrupted)
        #expect(results.note?.contains("controller died") == true, "\(results.note ?? "")")
        #expect(results.note?.contains("log.jsonl not used") == true, "\(results.note ?? "")")
        #expect(results.ops.ok > 10) // what was recorded is read back; how much depends on the machine's load
        #expect(results.durationSeconds > 2)
        let byName = Dictionary(uniqueKeysWithValues: results.checks.map { ($0.name, $0) })
        #expect(Set(byName.keys) == [.stats, .crash, .linearizable, .lag, .liveness, .divergence])
        let divergence = try #require(byName[.divergence])
        #expect(divergence.verdict == .unknown)
        #expect(divergence.summary.contains("controller died before reading the nodes' logs"))
        // What was recorded up to the kill is a valid history of a clean cluster.
        #expect(byName[.linearizable]?.verdict == .valid, "\(byName[.linearizable]?.summary ?? "")")
        #expect(byName[.crash]?.verdict == .valid, "\(byName[.crash]?.summary ?? "")")
        #expect(results.verdict != .invalid, "\(results.checks.map(\.summary))")
        for file in ["results.json", "report.html", "summary.md", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: "\(written)/\(file)"), "missing \(file)")
        }

        // The command line: verdict as exit status, results on stdout.
        let (status, stdout, _) = try CommandLineTests.chaos(["analyze", directory, "--json", "--check", "stats"])
        #expect(status == 0, "\(stdout)")
        #expect(stdout.contains(#""verdict" : "valid""#))
    }

    static let badInput: [([String], String)] = [
        (["analyze", "/nonexistent/run"], "/nonexistent/run: no such run directory"),
        (["analyze", "/tmp"], "/tmp/plan.yaml: missing; is this a chaos run directory?"),
        (["analyze"], "Missing expected argument '<run-directory>'"),
    ]

    @Test(arguments: badInput)
    func badInputExitsThreeWithTheReason(arguments: [String], message: String) throws {
        let (status, _, stderr) = try CommandLineTests.chaos(arguments)
        #expect(status == 3)
        #expect(stderr.contains(message), "\(stderr)")
    }

    @Test func badCheckNamesTheArgument() throws {
        let directory = TestSupport.temporaryDirectory("analyze-badcheck")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: Self.quickstart, toPath: "\(directory)/plan.yaml")
        let (status, _, stderr) = try CommandLineTests.chaos(
            ["analyze", directory, "--check", "linearizable:model=regster", "--check", "leek"])
        #expect(status == 3)
        #expect(stderr.contains("--check 'linearizable:model=regster': unknown model 'regster'"), "\(stderr)")
        #expect(stderr.contains("--check 'leek': unknown checker 'leek'"), "\(stderr)")
    }
}
