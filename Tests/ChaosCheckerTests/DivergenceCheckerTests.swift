import ChaosHistory

import Testing

@testable import ChaosChecker

/// Divergence: committed prefixes compared pairwise, acknowledged appends against the committed log.
@Suite("divergence checker")
struct DivergenceCheckerTests {
    static func log(_ node: String, commit: Int64, entries: ClosedRange<Int64>,
                    change: (Int64) -> String? = { _ in nil }) -> NodeLog {
        NodeLog(node: node, commitIndex: commit, entries: entries.map { i in
            NodeLog.Entry(index: i, term: i < 500 ? 1 : 2, digest: change(i) ?? "d\(i)")
        })
    }

    @Test("replicas that agree on their committed prefixes are valid, whatever their uncommitted tails")
    func agree() async {
        let logs = [
            Self.log("n1", commit: 1000, entries: 1...1000),
            Self.log("n2", commit: 990, entries: 1...1000) { $0 > 995 ? "other\($0)" : nil },
            Self.log("n3", commit: 700, entries: 201...800),  // compacted below 201
        ]
        let result = await DivergenceChecker().check(CheckInput(history: History(), logs: logs))
        #expect(result.verdict == .valid, "\(result.findings.map(\.message))")
        #expect(result.metrics["comparedEntries"] == Double(990 + 500 + 500))
    }

    @Test("the first divergent committed index is reported with both sides")
    func diverge() async throws {
        let logs = [
            Self.log("n1", commit: 1000, entries: 1...1000),
            Self.log("n3", commit: 1000, entries: 1...1000) { $0 >= 812 && $0 < 815 ? "bad\($0)" : nil },
        ]
        let result = await DivergenceChecker().check(CheckInput(history: History(), logs: logs))
        #expect(result.verdict == .invalid)
        let finding = try #require(result.findings.first)
        #expect(finding.message == "n1 and n3 disagree at committed index 812 (both committed up to 1000); "
            + "3 entries differ from there")
        #expect(finding.details == [
            "n1 index 812: term 2, digest d812 (commit index 1000)",
            "n3 index 812: term 2, digest bad812 (commit index 1000)",
        ])
    }

    @Test("state hashes taken at the same index must match; at different indexes they are not compared")
    func stateHashes() async throws {
        func withHash(_ node: String, _ index: Int64, _ hash: String) -> NodeLog {
            var log = Self.log(node, commit: 100, entries: 1...100)
            log.stateHash = NodeLog.StateHash(index: index, hash: hash)
            return log
        }
        let agreeing = [withHash("n1", 100, "aa"), withHash("n2", 100, "aa"), withHash("n3", 99, "bb")]
        let valid = await DivergenceChecker().check(CheckInput(history: History(), logs: agreeing))
        #expect(valid.verdict == .valid, "\(valid.findings.map(\.message))")
        #expect(valid.metrics["stateHashesCompared"] == 1)

        let differing = [withHash("n1", 100, "aa"), withHash("n2", 100, "ab")]
        let invalid = await DivergenceChecker().check(CheckInput(history: History(), logs: differing))
        #expect(invalid.verdict == .invalid)
        let finding = try #require(invalid.findings.first)
        #expect(finding.message == "n1 and n2 report different state hashes at index 100")
        #expect(finding.details == ["n1: aa", "n2: ab"])
    }

    @Test("no log read gives unknown")
    func noLogs() async {
        let result = await DivergenceChecker().check(CheckInput(history: History()))
        #expect(result.verdict == .unknown)
    }

    @Test("acknowledged appends beyond every commit index, or sharing an index, are lost writes")
    func acknowledged() async throws {
        let ops = [
            Operation(time: 1, process: 0, type: .invoke, f: "append", value: "e1"),
            Operation(time: 2, process: 0, type: .ok, f: "append", value: 5),
            Operation(time: 3, process: 1, type: .invoke, f: "append", value: "e2"),
            Operation(time: 4, process: 1, type: .ok, f: "append", value: 5),
            Operation(time: 5, process: 2, type: .invoke, f: "append", value: "e3"),
            Operation(time: 6, process: 2, type: .ok, f: "append", value: 2000),
            Operation(time: 7, process: 3, type: .invoke, f: "append", value: "e4"),
            Operation(time: 8, process: 3, type: .fail, f: "append", value: "e4"),
        ]
        let logs = [Self.log("n1", commit: 1000, entries: 1...1000), Self.log("n2", commit: 1000, entries: 1...1000)]
        let result = await DivergenceChecker().check(CheckInput(history: History(ops), logs: logs))
        #expect(result.verdict == .invalid)
        #expect(result.metrics["acknowledgedAppends"] == 3)
        #expect(result.findings.map(\.message) == [
            "1 acknowledged append is beyond every node's final commit index (1000): lost acknowledged writes",
            "1 log index was acknowledged to two different appends: one of each pair was lost",
        ])
        #expect(result.findings[1].details.first?.hasPrefix("index 5: \"e1\" (process 0") == true)
    }
}
