import ChaosChecker
import ChaosHistory
import Foundation
import Testing

@Suite struct CrashCheckerTests {
    static let patterns = ["panicked at", "assertion failed", "Fatal error:", "SIGSEGV"]

    /// A node directory with the given stderr lines.
    static func nodeDirectory(stderr: [String]) -> String {
        let directory = NSTemporaryDirectory() + "crash-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(directory)/stderr.log",
                                       contents: Data(stderr.joined(separator: "\n").utf8))
        return directory
    }

    static func input(_ exits: [NodeExit], stderr: [String] = ["started", "stopping"]) -> CheckInput {
        CheckInput(history: History(), exits: exits, nodeDirectories: ["n1": nodeDirectory(stderr: stderr)],
                   nodes: ["n1"])
    }

    static let cases: [(String, NodeExit.Status, NodeExit.Cause, Bool, Verdict, String?)] = [
        ("nemesis kill", .signaled(signal: 9, coreDumped: false), .kill, false, .valid, nil),
        ("clean shutdown", .exited(code: 0), .shutdown, false, .valid, nil),
        ("clean stop", .exited(code: 0), .stop, false, .valid, nil),
        ("stop by the SIGTERM sent (etcd re-raises it)", .signaled(signal: 15, coreDumped: false), .stop, false,
         .valid, nil),
        ("segfault on stop", .signaled(signal: 11, coreDumped: false), .stop, false, .invalid,
         "crash on shutdown: n1 (pid 42) died by signal 11 (SIGSEGV) at 3.0s"),
        ("non-zero exit on shutdown", .exited(code: 2), .shutdown, false, .invalid,
         "crash on shutdown: n1 (pid 42) exited with code 2 at 3.0s"),
        ("missed the deadline", .signaled(signal: 9, coreDumped: false), .stop, true, .invalid,
         "crash on shutdown: n1 (pid 42) did not exit within its grace period after SIGTERM and was SIGKILLed at 3.0s"),
        ("unexpected exit", .exited(code: 1), .unexpected, false, .invalid,
         "n1 (pid 42) exited with code 1 at 3.0s; nothing chaos did explains it"),
        ("unexpected abort", .signaled(signal: 6, coreDumped: true), .unexpected, false, .invalid,
         "n1 (pid 42) died by signal 6 (SIGABRT), core dumped at 3.0s; nothing chaos did explains it"),
    ]

    @Test(arguments: cases)
    func judgesExits(_ c: (String, NodeExit.Status, NodeExit.Cause, Bool, Verdict, String?)) async {
        let exit = NodeExit(node: "n1", pid: 42, time: 3_000_000_000, status: c.1, cause: c.2, escalated: c.3)
        let result = await CrashChecker(patterns: Self.patterns).check(Self.input([exit]))
        #expect(result.verdict == c.4, "\(c.0)")
        #expect(result.findings.first?.message == c.5, "\(c.0)")
        if c.4 == .invalid { #expect(result.findings.first?.details == ["started", "stopping"]) }
    }

    @Test func quotesMatchingLogLinesWithFileAndLine() async {
        let input = Self.input([], stderr: ["ok", "thread 'main' panicked at src/log.rs:12: cached_last < trunc", "ok"])
        let result = await CrashChecker(patterns: Self.patterns).check(input)
        #expect(result.verdict == .invalid)
        let finding = try! #require(result.findings.first)
        #expect(finding.message == "n1 logged 'panicked at'")
        #expect(finding.details.first?.hasSuffix("stderr.log:2: thread 'main' panicked at src/log.rs:12: cached_last < trunc") == true)
    }

    @Test func cleanLogsAreValid() async {
        let result = await CrashChecker(patterns: Self.patterns).check(Self.input([]))
        #expect(result.verdict == .valid)
        #expect(result.metrics["logMatches"] == 0)
    }
}
