import ChaosChecker
import ChaosHistory
import Testing

@Suite struct StatsCheckerTests {
    /// invoke/complete pairs for one process each: (f, completion type, latency ms).
    static func history(_ ops: [(String, OpType, Int64)]) -> History {
        var operations: [Operation] = []
        for (process, (f, type, latency)) in ops.enumerated() {
            let start = Int64(process) * 1_000_000
            operations.append(Operation(time: start, process: process, type: .invoke, f: f))
            operations.append(Operation(time: start + latency * 1_000_000, process: process, type: type, f: f))
        }
        var history = History(operations)
        history.reindex()
        return history
    }

    @Test func countsAvailabilityAndLatency() async {
        let input = CheckInput(history: Self.history([
            ("read", .ok, 10), ("read", .ok, 20), ("write", .ok, 30), ("write", .fail, 5), ("cas", .info, 1000),
            ("cas", .ok, 40),
        ]), duration: 2)
        let result = await StatsChecker().check(input)
        #expect(result.verdict == .valid)
        #expect(result.metrics["ok"] == 4)
        #expect(result.metrics["fail"] == 1)
        #expect(result.metrics["info"] == 1)
        #expect(result.metrics["availability"] == 4.0 / 6.0)
        #expect(result.metrics["okPerSecond"] == 2)
        #expect(result.metrics["latencyP50Ms"] == 20)
        #expect(result.metrics["latencyMaxMs"] == 40)
        #expect(result.summary == "4 ok, 1 fail, 1 info; 66.7% available; 2 ok/s")
    }

    @Test func aFunctionThatNeverSucceedsIsInvalid() async {
        let result = await StatsChecker().check(CheckInput(history: Self.history([
            ("read", .ok, 1), ("write", .fail, 1), ("write", .info, 1),
        ])))
        #expect(result.verdict == .invalid)
        #expect(result.findings.map(\.message) == ["no 'write' operation succeeded (2 attempted)"])
    }

    @Test func anEmptyHistoryIsInvalid() async {
        let result = await StatsChecker().check(CheckInput(history: History()))
        #expect(result.verdict == .invalid)
        #expect(result.findings.map(\.message) == ["the workload completed no operation"])
    }

    @Test(arguments: [(0.5, Verdict.valid), (0.9, Verdict.invalid)])
    func minimumAvailability(required: Double, expected: Verdict) async {
        let input = CheckInput(history: Self.history([("read", .ok, 1), ("read", .ok, 1), ("read", .fail, 1)]))
        let result = await StatsChecker(minAvailability: required).check(input)
        #expect(result.verdict == expected)
    }
}
