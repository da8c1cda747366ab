import ChaosHistory
import Foundation
import Testing

@testable import ChaosChecker

/// The leak checker on samples recorded from real runs (Fixtures/, every 3rd or 4th sample kept): clean nodes
/// whose memory follows their work are not leaks; raft-node's `leak-on-retry` leader is.
@Suite("leak checker on recorded samples")
struct LeakSampleTests {
    static func samples(_ name: String) throws -> [Sample] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/\(name)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Sample.self, from: Data($0.utf8)) }
    }

    /// `braft-leak-on-retry` with its bug, 3 nodes, on a machine so loaded that 40 ops/s got through: the leader
    /// (n3) grew 330 MB/h, 2.2 kB per committed entry; the followers 35 MB/h, 260 B per entry.
    @Test func theLeakingLeaderIsCaughtAndTheFollowersFillingTheirLogsAreNot() async throws {
        let input = CheckInput(history: History(), samples: try Self.samples("leak-on-retry-40ops.samples.jsonl"),
                               nodes: ["n1", "n2", "n3"], duration: 60)
        let result = await LeakChecker(warmUp: .seconds(5)).check(input)
        #expect(result.verdict == .invalid)
        #expect(result.findings.map(\.node) == ["n3"], "\(result.findings.map(\.message))")
        #expect(result.findings.first?.message.hasPrefix("n3 RSS grows") == true)
        #expect(result.summary.contains("n1 RSS follows the work"), "\(result.summary)")
        #expect(try #require(result.metrics["n3.rssPerEntry"]) > 1500)
        #expect(try #require(result.metrics["n1.rssPerEntry"]) < 500)
    }

    /// Judged by the slope alone (the checker before it knew about work), the clean followers were leaks too.
    @Test func bySlopeAloneTheCleanFollowersWouldBeFalseAlarms() async throws {
        let input = CheckInput(history: History(), samples: try Self.samples("leak-on-retry-40ops.samples.jsonl"),
                               nodes: ["n1", "n2", "n3"], duration: 60)
        let result = await LeakChecker(maxRSSPerEntry: nil, warmUp: .seconds(5)).check(input)
        #expect(Set(result.findings.compactMap(\.node)) == ["n1", "n2", "n3"], "\(result.findings.map(\.message))")
    }

    /// `mixed-faults` on 5 clean raft-node processes (partitions of every shape, kill, stop, pause, writer freeze).
    @Test func cleanRaftNodeUnderMixedFaultsIsValid() async throws {
        let input = CheckInput(history: History(), samples: try Self.samples("mixed-faults-raft-node.samples.jsonl"),
                               nodes: ["n1", "n2", "n3", "n4", "n5"], duration: 60)
        let result = await LeakChecker().check(input)
        #expect(result.verdict == .valid, "\(result.summary) \(result.findings.map(\.message))")
    }

    /// `etcd-mixed-faults` on 5 clean etcd members (24 entries/s on a loaded machine): 0.4-1.1 GB/h over the first
    /// minute, Go's heap warming up while the in-memory Raft log fills, up to 29 kB per committed entry. With
    /// etcd's default allowance per entry (64 kB): valid; by slope alone: leaks.
    @Test func cleanEtcdUnderMixedFaultsIsValidWithEtcdsAllowance() async throws {
        let input = CheckInput(history: History(), samples: try Self.samples("etcd-mixed-faults.samples.jsonl"),
                               nodes: ["n1", "n2", "n3", "n4", "n5"], duration: 60)
        let etcd = await LeakChecker(maxRSSPerEntry: 64_000).check(input)
        #expect(etcd.verdict == .valid, "\(etcd.summary) \(etcd.findings.map(\.message))")
        let slopeOnly = await LeakChecker(maxRSSPerEntry: nil).check(input)
        #expect(slopeOnly.verdict != .valid)
    }

    /// Growth that stops before the end is a warm-up or a log filling to its snapshot, not a leak.
    @Test func growthThatLevelsOffIsNotALeak() async throws {
        let samples = (0..<600).map { i -> Sample in
            let t = Double(i) / 10
            let rss = 40_000_000 + 8_000_000 * min(t, 30) / 30  // +8 MB over 30 s, then flat
            return Sample(time: Int64(t * 1e9), node: "n1", answered: true, pid: 7, rssBytes: Int64(rss))
        }
        let result = await LeakChecker().check(CheckInput(history: History(), samples: samples, nodes: ["n1"]))
        #expect(result.verdict == .valid, "\(result.summary)")
        #expect(result.summary.contains("levelled off"))
    }
}
