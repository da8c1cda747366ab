import ChaosHistory
import Testing

@testable import ChaosChecker

/// Running out of time or memory gives `unknown` with the reason, never `valid`.
@Suite("search limits", .timeLimit(.minutes(1)))
struct LimitTests {
    /// 24 timed-out writes of distinct values, reads of each in turn (so none can be left out as unobservable),
    /// then a read of a value nobody wrote: invalid, but only after trying every subset of the writes. Value 1 is
    /// written twice, so the zone check (which needs unique values) cannot prove it: the search must explode.
    static func explosive() -> History {
        var ops: [Operation] = [Operation(time: 0, process: 99, type: .invoke, f: "write", value: 1)]
        for p in 0..<24 {
            ops.append(Operation(time: Int64(p), process: p, type: .invoke, f: "write", value: .int(Int64(p + 1))))
        }
        for p in 0..<24 {
            ops.append(Operation(time: Int64(100 + p), process: p, type: .info, f: "write", value: .int(Int64(p + 1))))
        }
        for p in 0..<24 {
            ops.append(Operation(time: Int64(200 + 2 * p), process: 100 + p, type: .invoke, f: "read"))
            ops.append(Operation(time: Int64(201 + 2 * p), process: 100 + p, type: .ok, f: "read",
                                 value: .int(Int64(p + 1))))
        }
        ops.append(Operation(time: 300, process: 200, type: .invoke, f: "read"))
        ops.append(Operation(time: 301, process: 200, type: .ok, f: "read", value: 99))
        var history = History(ops)
        history.reindex()
        return history
    }

    @Test("a time limit too small gives unknown")
    func timeLimit() throws {
        let report = try Linearizability.check(Self.explosive(), model: .casRegister, timeLimit: .milliseconds(50))
        #expect(report.verdict == .unknown)
        #expect(report.reason?.contains("time limit") == true)
        #expect(report.counterexample == nil)
    }

    @Test("a memory ceiling too small gives unknown")
    func memoryLimit() throws {
        let report = try Linearizability.check(Self.explosive(), model: .casRegister, timeLimit: .seconds(30),
                                               memoryLimit: 1 << 20)
        #expect(report.verdict == .unknown)
        #expect(report.reason?.contains("memory limit") == true)
    }

    /// `partitions` keys, each with `writes` timed-out writes and a read nobody wrote: every one explodes (value 1
    /// is written twice, so the zone check stays out of it).
    static func manyExplosive(partitions: Int, writes: Int) -> History {
        var ops: [Operation] = []
        var time: Int64 = 0
        for k in 0..<partitions {
            let key = Value.string("k\(k)")
            ops.append(Operation(time: time, process: k * 1000 + 998, type: .invoke, f: "write", key: key, value: 1))
            for p in 0..<writes {
                time += 1
                ops.append(Operation(time: time, process: k * 1000 + p, type: .invoke, f: "write", key: key,
                                     value: .int(Int64(p + 1))))
            }
            for p in 0..<writes {  // every value read once, so no write can be left out as unobservable
                time += 1
                ops.append(Operation(time: time, process: k * 1000 + 500 + p, type: .invoke, f: "read", key: key))
                time += 1
                ops.append(Operation(time: time, process: k * 1000 + 500 + p, type: .ok, f: "read", key: key,
                                     value: .int(Int64(p + 1))))
            }
            time += 1
            ops.append(Operation(time: time, process: k * 1000 + 999, type: .invoke, f: "read", key: key))
            time += 1
            ops.append(Operation(time: time, process: k * 1000 + 999, type: .ok, f: "read", key: key, value: 9999))
        }
        var history = History(ops)
        history.reindex()
        return history
    }

    @Test("the time limit holds whatever the number of partitions, and says how far the search got")
    func timeLimitManyPartitions() throws {
        let start = ContinuousClock.now
        let report = try Linearizability.check(Self.manyExplosive(partitions: 64, writes: 40), model: .casRegister,
                                               timeLimit: .milliseconds(300))
        // Generous: the searches would run for hours; the limit must end them all within moments of 300 ms.
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(report.verdict == .unknown)
        #expect(report.reason?.contains("0 of 64 partitions linearizable, 64 unfinished") == true)
        #expect(report.reason?.contains("deepest linearizable prefix") == true)
    }

    @Test("the memory limit bounds the process's resident memory, not an estimate of the cache")
    func memoryLimitBoundsProcess() throws {
        let limit = ResidentMemory.current() + (96 << 20)
        let report = try Linearizability.check(Self.manyExplosive(partitions: 2, writes: 40), model: .casRegister,
                                               timeLimit: .seconds(100), memoryLimit: limit)
        #expect(report.verdict == .unknown)
        #expect(report.reason?.contains("memory limit") == true)
        #expect(report.peakMemory <= limit + limit / 10)
    }

    @Test("the in-run checker reports metrics and the counterexample")
    func checker() async throws {
        let edn = "{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}"
            + "{:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 2}"
        let history = try JepsenHistoryReader.read(Array(edn.utf8), file: "t").history
        let checker = LinearizabilityChecker(model: .casRegister, timeLimit: .seconds(5))
        let result = await checker.check(CheckInput(history: history))
        #expect(result.name == .linearizable)
        #expect(result.verdict == .invalid)
        #expect(result.metrics["ops"] == 2)
        #expect(result.metrics["partitions"] == 1)
        #expect(result.findings.first?.details.contains { $0.contains("#2 p1 read 2") } == true)
    }
}
