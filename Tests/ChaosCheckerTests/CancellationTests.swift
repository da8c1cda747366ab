import ChaosHistory
import Testing

@testable import ChaosChecker

/// The first partition proven not linearizable decides the verdict and ends the others, wherever it sits in
/// the queue. Bounds are generous (seconds against searches that would run for hours): never tightly timed.
@Suite("search cancellation", .timeLimit(.minutes(2)))
struct CancellationTests {
    /// Key `big`: `writes` timed-out writes of distinct values 1…n, reads of 1, 2, …, n in turn (so every write
    /// is observed and none can be left out), then a read of a value nobody wrote: every subset of the writes
    /// must be tried before each read, 2^writes configurations (value 1 is written twice, so the zone check, which
    /// needs unique values, cannot prove it). Key `bad`: `sequential` sequential writes, then a read of the first.
    static func history(writes: Int, sequential: Int) -> History {
        var ops: [Operation] = []
        var time: Int64 = 0
        func add(_ p: Int, _ type: OpType, _ f: String, _ key: String, _ value: Value) {
            time += 1
            ops.append(Operation(time: time, process: p, type: type, f: f, key: .string(key), value: value))
        }
        if writes > 0 { add(199, .invoke, "write", "big", .int(1)) }
        for p in 0..<writes { add(p, .invoke, "write", "big", .int(Int64(p + 1))) }
        for p in 0..<writes { add(p, .info, "write", "big", .int(Int64(p + 1))) }
        for p in 0..<writes {
            add(200 + p, .invoke, "read", "big", .null)
            add(200 + p, .ok, "read", "big", .int(Int64(p + 1)))
        }
        add(500, .invoke, "read", "big", .null)
        add(500, .ok, "read", "big", .int(9999))
        for i in 0..<sequential {
            add(600, .invoke, "write", "bad", .int(Int64(i + 1)))
            add(600, .ok, "write", "bad", .int(Int64(i + 1)))
        }
        add(601, .invoke, "read", "bad", .null)
        add(601, .ok, "read", "bad", .int(1))
        var history = History(ops)
        history.reindex()
        return history
    }

    @Test("a small failing partition ends a larger one that would explode")
    func failingEndsLarger() throws {
        let start = ContinuousClock.now
        let report = try Linearizability.check(Self.history(writes: 40, sequential: 3), model: .casRegister,
                                               timeLimit: .seconds(600))
        #expect(report.verdict == .invalid)
        #expect(report.counterexample?.key == .string("bad"))
        // Without cancellation the 2^40 search runs until a limit (minutes, or gigabytes).
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("a failing partition queued behind an exploding smaller one is still found; the refinement ends")
    func failingBehindSmaller() throws {
        let start = ContinuousClock.now
        // `big` (82 steps) is smaller than `bad` (201 steps), so it is searched first and keeps its turn.
        let report = try Linearizability.check(Self.history(writes: 40, sequential: 200), model: .casRegister,
                                               options: .init(timeLimit: .seconds(600), refineBudget: .seconds(1)))
        #expect(report.verdict == .invalid)
        #expect(report.counterexample?.key == .string("bad"))
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("after a proof only smaller partitions search on, and the smallest failing one is reported")
    func smallerCounterexample() throws {
        // Two failing keys: `bad` with 200 steps and `tiny` with 2; the report names the smaller one whichever
        // is proven first.
        var ops = Self.history(writes: 0, sequential: 200).operations.filter { $0.key != .string("big") }
        let base = Int64(ops.count + 10)
        ops.append(Operation(time: base, process: 700, type: .invoke, f: "write", key: "tiny", value: 1))
        ops.append(Operation(time: base + 1, process: 700, type: .ok, f: "write", key: "tiny", value: 1))
        ops.append(Operation(time: base + 2, process: 701, type: .invoke, f: "read", key: "tiny"))
        ops.append(Operation(time: base + 3, process: 701, type: .ok, f: "read", key: "tiny", value: 2))
        var history = History(ops)
        history.reindex()
        let report = try Linearizability.check(history, model: .casRegister, timeLimit: .seconds(60))
        #expect(report.verdict == .invalid)
        #expect(report.counterexample?.key == .string("tiny"))
    }

    @Test("searches stopped by a proof say cancelled, not linearizable")
    func cancelledOutcome() throws {
        let history = Self.history(writes: 40, sequential: 3)
        let partitions = try CallPairing.partitions(history)
        let jobs: [PartitionJob] = try partitions.map { p throws(CheckerError) in
            try SearchJob(p, model: RegisterModel(RegisterModel.casRegister), order: []).job
        }
        let budget = SearchBudget(timeLimit: .seconds(600), memoryLimit: Linearizability.defaultMemoryLimit)
        PartitionScheduler.run(jobs, budget: budget)
        let outcomes = Dictionary(uniqueKeysWithValues: zip(partitions.map(\.key), jobs.map { $0.outcome() }))
        #expect(outcomes[.string("bad")] == .notLinearizable)
        #expect(outcomes[.string("big")] == .cancelled)
        #expect(budget.stop == .proven)
    }
}
