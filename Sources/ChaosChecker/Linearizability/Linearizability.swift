import ChaosHistory
import Dispatch
import Foundation
import Synchronization

/// Entry points of the linearizability checker: pick a model, partition the history by key, search each
/// partition on the available cores.
public enum Linearizability {
    /// The models `check` knows, by the name plans and `chaos check --model` use.
    public static let models = ["register", "cas-register", "multi-register", "kv", "etcd-register", "append-log"]

    /// Search memory allowed by default: half the machine, at most 8 GiB.
    public static var defaultMemoryLimit: Int {
        Int(min(ProcessInfo.processInfo.physicalMemory / 2, 8 << 30))
    }

    /// Checks `history` against `model`.
    /// - Parameters:
    ///   - timeLimit: past it the verdict is `unknown`, never `valid`.
    ///   - memoryLimit: bytes of search cache allowed over all partitions; past it the verdict is `unknown`.
    ///   - registersStartAbsent: registers start absent and a read of nil saw that absence (histories chaos
    ///     records itself), instead of the model's Knossos default (`cas-register` starts at 0, nil reads match
    ///     anything), so a lost write that reads back as nil is caught.
    ///   - log: the committed log (`log.jsonl`): resolves indeterminate writes and orders writes before the
    ///     search (`LogPatch`); what it contradicts makes the verdict `invalid`. Nil: exact semantics.
    /// - Throws: `CheckerError` for an unknown model or an operation the model cannot read.
    public static func check(
        _ history: History, model: String, timeLimit: Duration = .seconds(60),
        memoryLimit: Int = defaultMemoryLimit, registersStartAbsent: Bool = false,
        log: [CommittedLog.Line]? = nil
    ) throws(CheckerError) -> LinearizabilityReport {
        func register(_ semantics: RegisterModel.Semantics) -> RegisterModel.Semantics {
            registersStartAbsent ? semantics.startingAbsent : semantics
        }
        let started = ContinuousClock.now
        let budget = SearchBudget(timeLimit: timeLimit, memoryLimit: memoryLimit)
        var partitions = try CallPairing.partitions(history)
        let patched = log.flatMap { LogPatch.models.contains(model) ? LogPatch.apply($0, to: &partitions) : nil }
        let results: [PartitionResult]
        switch model {
        case "register": results = try run(partitions, budget) { RegisterModel(register(RegisterModel.register)) }
        case "cas-register":
            results = try run(partitions, budget) { RegisterModel(register(RegisterModel.casRegister)) }
        case "etcd-register": results = try run(partitions, budget) { RegisterModel(RegisterModel.etcdRegister) }
        case "multi-register": results = try run(partitions, budget) { MultiRegisterModel() }
        case "kv": results = try run(partitions, budget) { KVModel() }
        case "append-log": results = try run(partitions, budget) { AppendLogModel() }
        default:
            throw CheckerError("unknown model '\(model)' (known: \(models.joined(separator: ", ")))")
        }

        var report = LinearizabilityReport(
            verdict: .valid, model: model, operations: partitions.reduce(0) { $0 + $1.calls.count },
            partitions: partitions.count, statesExplored: results.reduce(0) { $0 + $1.explored },
            elapsed: ContinuousClock.now - started)
        let failed = results.filter { $0.outcome == .notLinearizable }
        if let smallest = failed.min(by: { $0.steps < $1.steps }) {
            report.verdict = .invalid
            report.counterexample = smallest.counterexample
        } else if let stuck = results.first(where: { $0.outcome == .timedOut || $0.outcome == .outOfMemory }) {
            report.verdict = .unknown
            let unfinished = results.filter { $0.outcome != .linearizable }.count
            report.reason = stuck.outcome == .timedOut
                ? "time limit of \(timeLimit) reached with \(unfinished) partition(s) unfinished"
                : "memory limit of \(memoryLimit >> 20) MiB reached with \(unfinished) partition(s) unfinished"
        }
        if let patched {
            report.log = patched
            if !patched.findings.isEmpty { report.verdict = .invalid }
        }
        return report
    }

    struct PartitionResult: Sendable {
        var outcome: WGLSearch.Outcome
        var steps: Int
        var explored: Int
        var counterexample: Counterexample?
    }

    /// Compiles and searches every partition, largest first so the cores stay busy.
    private static func run<M: SequentialModel>(
        _ partitions: [CallPairing.Partition], _ budget: SearchBudget, _ make: () -> M
    ) throws(CheckerError) -> [PartitionResult] {
        let order = partitions.indices.sorted { partitions[$0].calls.count > partitions[$1].calls.count }
        let results = Mutex<[PartitionResult?]>(Array(repeating: nil, count: partitions.count))
        let errors = Mutex<[CheckerError]>([])
        let models = (0..<partitions.count).map { _ in Box(make()) }
        DispatchQueue.concurrentPerform(iterations: partitions.count) { k in
            let p = order[k]
            do throws(CheckerError) {
                let result = try search(partitions[p], model: &models[p].value, budget: budget)
                results.withLock { $0[p] = result }
            } catch {
                errors.withLock { $0.append(error) }
            }
        }
        if let first = errors.withLock({ $0.min { ($0.operation ?? 0) < ($1.operation ?? 0) } }) { throw first }
        return results.withLock { $0.compactMap { $0 } }
    }

    /// Holds one partition's model so each concurrent iteration mutates only its own.
    private final class Box<M>: @unchecked Sendable {
        var value: M
        init(_ value: M) { self.value = value }
    }

    private static func search<M: SequentialModel>(
        _ partition: CallPairing.Partition, model: inout M, budget: SearchBudget
    ) throws(CheckerError) -> PartitionResult {
        var steps: [M.Step] = []
        var kept: [Int] = []  // step → index into partition.calls
        for (i, call) in partition.calls.enumerated() {
            if let step = try model.step(for: call) {
                steps.append(step)
                kept.append(i)
            }
        }
        let calls = kept.map { partition.calls[$0].position }
        let returns = kept.map { partition.calls[$0].returnPosition }
        let after = partition.logOrder.map { LogPatch.predecessors($0, kept: kept) }
        let result = WGLSearch.run(&model, steps: steps, calls: calls, returns: returns, budget: budget, after: after)
        var out = PartitionResult(outcome: result.outcome, steps: steps.count, explored: result.explored)
        if result.outcome == .notLinearizable {
            // The remaining op that had to complete first, and everything concurrent with it.
            var placed = Array(repeating: false, count: steps.count)
            for s in result.bestPrefix { placed[s] = true }
            let remaining = steps.indices.filter { !placed[$0] }
            let deadline = remaining.compactMap { returns[$0] }.min() ?? Int.max
            let blocking = remaining.filter { returns[$0] == deadline }
            let concurrent = remaining.filter { calls[$0] < deadline && returns[$0] != deadline }
            out.counterexample = Counterexample(
                key: partition.key, partitionOperations: steps.count,
                prefix: result.bestPrefix.map { OperationSummary(partition.calls[kept[$0]]) },
                state: model.describe(result.bestState),
                unplaced: (blocking + concurrent).map { OperationSummary(partition.calls[kept[$0]]) })
            out.counterexample?.operations = kept.map { OperationSummary(partition.calls[$0]) }
            out.counterexample?.prefixStates = Counterexample.states(after: result.bestPrefix, steps: steps, model: &model)
        }
        return out
    }
}
