import ChaosHistory
import Foundation
import Testing

@testable import ChaosChecker

/// Liveness: progress after the last heal, and operations that never complete.
@Suite("liveness checker")
struct LivenessCheckerTests {
    /// A history of one write per second per process from `from` to `to`, each completing `type` after 10 ms.
    static func history(from: Double, to: Double, type: (Double) -> OpType?) -> History {
        var ops: [ChaosHistory.Operation] = []
        var process = 0
        var t = from
        while t < to {
            ops.append(ChaosHistory.Operation(time: ns(t), process: process, type: .invoke, f: "write", value: 1))
            if let completion = type(t) {
                let end = completion == .info ? t + 1 : t + 0.01
                ops.append(ChaosHistory.Operation(time: ns(end), process: process, type: completion, f: "write",
                                                  value: 1,
                                     error: completion == .info ? "timeout" : nil))
                if completion == .info { process += 1 }
            }
            t += 1
        }
        var history = History(ops.sorted { $0.time < $1.time })
        history.reindex()
        return history
    }

    @Test("the cluster commits right after the heal: valid")
    func recovers() async {
        let input = CheckInput(history: Self.history(from: 0, to: 60) { _ in .ok },
                               samples: SyntheticCluster().samples(),
                               events: fault("partition", ["n1"], from: 10, to: 30), duration: 60)
        let result = await LivenessChecker(recoverWithin: .seconds(5)).check(input)
        #expect(result.verdict == .valid, "\(result.findings.map(\.message))")
        #expect(result.metrics["recoverySeconds"].map { $0 < 1 } == true)
    }

    @Test("no progress after the last heal: invalid, with the stuck operations listed")
    func neverRecovers() async throws {
        var cluster = SyntheticCluster()
        cluster.rate = 0
        // Everything after the heal at 30s times out.
        let history = Self.history(from: 31, to: 60) { _ in .info }
        let input = CheckInput(history: history, samples: cluster.samples(),
                               events: fault("partition", ["n1"], from: 10, to: 30), duration: 60)
        let result = await LivenessChecker(recoverWithin: .seconds(10)).check(input)
        #expect(result.verdict == .invalid)
        let first = result.findings.first?.message ?? ""
        #expect(first.hasPrefix("no progress in the 30.0s after the last heal at 30.0s"))
        let stuck = try #require(result.findings.last)
        #expect(stuck.message.hasPrefix("19 operations invoked after 40.0s"))
        #expect(stuck.details.first == "process 10 write 1 invoked at 41.0s: info after 1.0s (timeout)")
    }

    @Test("late recovery is reported with the delay")
    func lateRecovery() async {
        let history = Self.history(from: 45, to: 60) { _ in .ok }
        var cluster = SyntheticCluster()
        cluster.rate = 0
        let input = CheckInput(history: history, samples: cluster.samples(),
                               events: fault("kill", ["n2"], from: 10, to: 30), duration: 60)
        let result = await LivenessChecker(recoverWithin: .seconds(10)).check(input)
        #expect(result.verdict == .invalid)
        let first = result.findings.first?.message ?? ""
        #expect(first.hasPrefix("the cluster first made progress 15.0s after the last heal"))
    }

    @Test("a fault never healed, or a run too short after the heal, is unknown")
    func unknown() async {
        let unhealed = CheckInput(history: History(), events: fault("pause", ["n2"], from: 10, to: nil), duration: 60)
        #expect(await LivenessChecker().check(unhealed).verdict == .unknown)
        let short = CheckInput(history: History(), events: fault("pause", ["n2"], from: 10, to: 55), duration: 60)
        let result = await LivenessChecker(recoverWithin: .seconds(10)).check(short)
        #expect(result.verdict == .unknown)
        #expect(result.summary.contains("before recover_within (10.0s) was up"))
    }

    @Test("a read the client gave up on counts as stuck; a quick definite failure does not")
    func timedOutReads() async throws {
        // After the heal at 30s: a read failing after the 1s client timeout, and a write refused at once.
        var ops = Self.history(from: 31, to: 60) { _ in .ok }.operations
        let read = ns(45)
        ops += [ChaosHistory.Operation(time: read, process: 100, type: .invoke, f: "read", value: nil),
                ChaosHistory.Operation(time: read + ns(1), process: 100, type: .fail, f: "read", value: nil,
                                       error: "timeout"),
                ChaosHistory.Operation(time: ns(46), process: 101, type: .invoke, f: "write", value: 2),
                ChaosHistory.Operation(time: ns(46.01), process: 101, type: .fail, f: "write", value: 2,
                                       error: "421 not leader")]
        var history = History(ops.sorted { $0.time < $1.time })
        history.reindex()
        let input = CheckInput(history: history, samples: SyntheticCluster().samples(),
                               events: fault("partition", ["n3"], from: 10, to: 30), duration: 60)
        let result = await LivenessChecker(recoverWithin: .seconds(5), opTimeout: .seconds(1)).check(input)
        #expect(result.verdict == .invalid)
        let stuck = try #require(result.findings.last)
        #expect(stuck.message.hasPrefix("1 operation invoked after 35.0s"))
        #expect(stuck.details == ["process 100 read nil invoked at 45.0s: fail after 1.0s (timeout)"])
        // Without the clients' timeout a failed read is a completed one.
        #expect(await LivenessChecker(recoverWithin: .seconds(5)).check(input).verdict == .valid)
    }
}
