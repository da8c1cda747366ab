import ChaosHistory
import Dispatch
import Foundation
import Synchronization

/// Entry points of the linearizability checker: pick a model, partition the history by key, search each
/// partition on the available cores.
public enum Linearizability {
    /// After `ZoneCheck` proves a partition not linearizable, how long the exact search may try the same
    /// partition for a counterexample with its longest linearizable prefix (else the zones' proof is shown).
    public static let zoneSearchBudget: Duration = .milliseconds(200)

    /// Search memory allowed by default: half the machine, at most 8 GiB.
    public static var defaultMemoryLimit: Int {
        Int(min(ProcessInfo.processInfo.physicalMemory / 2, 8 << 30))
    }

    /// How a check runs: its limits and what is known beyond the history.
    public struct Options: Sendable {
        /// Past it the verdict is `unknown`, never `valid`; honoured within a few milliseconds.
        public var timeLimit: Duration
        /// Resident bytes the whole process may hold (read from the kernel); past it the verdict is `unknown`.
        public var memoryLimit: Int
        /// Registers start absent and a read of nil saw that absence (histories chaos records itself), instead
        /// of the model's Knossos default (`cas-register` starts at 0, nil reads match anything), so a lost
        /// write that reads back as nil is caught.
        public var registersStartAbsent: Bool
        /// Per key (nil for a history without keys), the history positions of invocations whose effects are
        /// known to have happened in this order, e.g. writes in the order a committed log holds them. The
        /// search only linearizes them in that order. Positions of calls the model drops are ignored.
        public var effectOrder: [Value?: [Int]]
        /// After one partition is proven not linearizable, how long smaller partitions may still search for a
        /// smaller counterexample; nil: 10 % of the time limit, at most 1 s.
        public var refineBudget: Duration?
        /// The committed log (`log.jsonl`): resolves indeterminate writes and orders writes before the search
        /// (`LogPatch`, whose order joins `effectOrder`); what it contradicts makes the verdict `invalid`.
        /// Nil: exact semantics.
        public var log: [CommittedLog.Line]?
        /// Once `ZoneCheck` proved a partition not linearizable, how long the exact search may try it for a
        /// counterexample with its longest linearizable prefix (never past `refineBudget`); zero: the zones' proof.
        public var zoneSearch: Duration = Linearizability.zoneSearchBudget

        public init(timeLimit: Duration = .seconds(60), memoryLimit: Int = Linearizability.defaultMemoryLimit,
                    registersStartAbsent: Bool = false, effectOrder: [Value?: [Int]] = [:],
                    refineBudget: Duration? = nil, log: [CommittedLog.Line]? = nil) {
            self.log = log
            self.timeLimit = timeLimit
            self.memoryLimit = memoryLimit
            self.registersStartAbsent = registersStartAbsent
            self.effectOrder = effectOrder
            self.refineBudget = refineBudget
        }
    }

    /// Checks `history` against `model`; see `Options` for the parameters.
    /// - Throws: `CheckerError` for an operation the model cannot read.
    public static func check(
        _ history: History, model: ModelName, timeLimit: Duration = .seconds(60),
        memoryLimit: Int = defaultMemoryLimit, registersStartAbsent: Bool = false,
        log: [CommittedLog.Line]? = nil
    ) throws(CheckerError) -> LinearizabilityReport {
        try check(history, model: model, options: Options(timeLimit: timeLimit, memoryLimit: memoryLimit,
                                                          registersStartAbsent: registersStartAbsent, log: log))
    }

    /// Checks `history` against `model`: pairs calls, partitions them by key and searches the partitions
    /// together; the first partition proven not linearizable decides the verdict and ends the others.
    /// - Throws: `CheckerError` for an operation the model cannot read.
    public static func check(_ history: History, model: ModelName, options: Options)
        throws(CheckerError) -> LinearizabilityReport
    {
        func register(_ semantics: RegisterModel.Semantics) -> RegisterModel.Semantics {
            options.registersStartAbsent ? semantics.startingAbsent : semantics
        }
        let started = ContinuousClock.now
        let budget = SearchBudget(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit,
                                  refineBudget: options.refineBudget)
        var partitions = try CallPairing.partitions(history)
        let patched = options.log.flatMap {
            LogPatch.models.contains(model) ? LogPatch.apply($0, to: &partitions) : nil
        }
        // The log's order of writes is an effect order like any other: a key's order given by the caller wins.
        var order = options.effectOrder
        for partition in partitions where order[partition.key] == nil {
            if let logOrder = partition.logOrder { order[partition.key] = logOrder.map { partition.calls[$0].position } }
        }
        let jobs: [PartitionJob]
        switch model {
        case .register:
            jobs = try compile(partitions, order) { RegisterModel(register(RegisterModel.register)) }
        case .casRegister:
            jobs = try compile(partitions, order) { RegisterModel(register(RegisterModel.casRegister)) }
        case .etcdRegister: jobs = try compile(partitions, order) { RegisterModel(RegisterModel.etcdRegister) }
        case .multiRegister: jobs = try compile(partitions, order) { MultiRegisterModel() }
        case .kv: jobs = try compile(partitions, order) { KVModel() }
        case .appendLog: jobs = try compile(partitions, order) { AppendLogModel() }
        }
        // Pairing, the log patch and compiling run before any search polls the budget: past the deadline
        // already, every search stops at its first turn.
        if budget.expired { budget.stopAll(.time) }
        let results: [PartitionResult]
        if let proven = jobs.filter({ $0.zoneProof != nil }).min(by: { $0.size < $1.size }) {
            // The zones decided it. The exact search gets a short turn on that partition for a counterexample
            // drawn from the longest linearizable prefix; the verdict does not wait for more.
            var searched: PartitionResult?
            if options.zoneSearch > .zero {
                let exact = SearchBudget(timeLimit: min(budget.refineBudget, options.zoneSearch),
                                         memoryLimit: options.memoryLimit)
                PartitionScheduler.run([proven], budget: exact)
                searched = proven.result()
                budget.peakResidentBytes.max(exact.peakResidentBytes.load(ordering: .relaxed), ordering: .relaxed)
            }
            results = [searched?.outcome == .notLinearizable ? searched! : proven.zoneProof!()]
        } else {
            PartitionScheduler.run(jobs, budget: budget)
            results = jobs.map { $0.result() }
        }

        var report = LinearizabilityReport(
            verdict: .valid, model: model, operations: partitions.reduce(0) { $0 + $1.calls.count },
            partitions: partitions.count, statesExplored: results.reduce(0) { $0 + $1.explored },
            elapsed: ContinuousClock.now - started)
        report.peakMemory = budget.peakResidentBytes.load(ordering: .relaxed)
        let failed = results.filter { $0.outcome == .notLinearizable }
        if let smallest = failed.min(by: { $0.steps < $1.steps }) {
            report.verdict = .invalid
            report.counterexample = smallest.counterexample
        } else if results.contains(where: { $0.outcome != .linearizable }) {
            report.verdict = .unknown
            report.reason = progress(results, budget: budget)
        }
        if let patched {
            report.log = patched
            if !patched.findings.isEmpty { report.verdict = .invalid }
        }
        return report
    }

    /// Why the search stopped and how far it got: `time limit of 2s reached: 7 of 10 partitions linearizable,
    /// 3 unfinished (largest 812 operations, deepest prefix 640)`.
    private static func progress(_ results: [PartitionResult], budget: SearchBudget) -> String {
        let unfinished = results.filter { $0.outcome != .linearizable }
        let done = results.count - unfinished.count
        let limit = switch budget.stop {
        case .memory:
            "memory limit of \(budget.memoryLimit >> 20) MiB reached (the process held "
                + "\(budget.peakResidentBytes.load(ordering: .relaxed) >> 20) MiB)"
        default: "time limit of \(budget.timeLimit) reached"
        }
        var text = "\(limit): \(done) of \(results.count) partition\(results.count == 1 ? "" : "s") linearizable, "
            + "\(unfinished.count) unfinished"
        if let largest = unfinished.max(by: { $0.steps < $1.steps }) {
            text += " (largest \(largest.steps) operations, deepest linearizable prefix \(largest.deepest))"
        }
        return text
    }

    struct PartitionResult: Sendable {
        var outcome: SearchOutcome
        var steps: Int
        var explored: Int
        var deepest: Int
        var counterexample: Counterexample?
    }

    /// Translates every partition's calls into model steps (all of them, so an operation the model cannot read
    /// is reported whichever partition holds it), ready to search.
    private static func compile<M: SequentialModel>(
        _ partitions: [CallPairing.Partition], _ order: [Value?: [Int]], _ make: () -> M
    ) throws(CheckerError) -> [PartitionJob] {
        var jobs: [PartitionJob] = []
        jobs.reserveCapacity(partitions.count)
        for partition in partitions {
            jobs.append(try SearchJob(partition, model: make(), order: order[partition.key] ?? []).job)
        }
        return jobs
    }
}

/// One partition's steps and search, and the counterexample once it fails.
final class SearchJob<M: SequentialModel>: @unchecked Sendable {
    private let partition: CallPairing.Partition
    /// Step → index into `partition.calls`.
    private let kept: [Int]
    private let calls: [Int]
    private let returns: [Int?]
    private let search: WGLSearch<M>
    /// What `ZoneCheck` proved before any search: nil when it proved nothing.
    private let zoneConflict: ZoneCheck.Conflict?

    var size: Int { search.n }

    /// The job the scheduler runs; made here, where `M` is concrete, so `resume` is specialized.
    var job: PartitionJob {
        let search = search
        var zoneProof: (@Sendable () -> Linearizability.PartitionResult)?
        if zoneConflict != nil { zoneProof = { [self] in zoneResult() } }
        return PartitionJob(size: search.n, outcome: { search.outcome },
                            resume: { quantum, budget in search.resume(quantum: quantum, budget: budget) != nil },
                            result: { [self] in result() }, zoneProof: zoneProof)
    }

    init(_ partition: CallPairing.Partition, model: M, order: [Int]) throws(CheckerError) {
        var model = model
        var steps: [M.Step] = []
        var kept: [Int] = []
        var outcomes: [ModelCall.Outcome] = []
        for (i, call) in partition.calls.enumerated() {
            if let step = try model.step(for: call) {
                steps.append(step)
                kept.append(i)
                outcomes.append(call.outcome)
            }
        }
        // Indeterminate calls whose effect nobody can observe never need a place: leave them out.
        let unobservable = model.unobservable(steps, outcomes: outcomes)
        if unobservable.contains(true) {
            let keep = steps.indices.filter { !unobservable[$0] }
            steps = keep.map { steps[$0] }
            kept = keep.map { kept[$0] }
            outcomes = keep.map { outcomes[$0] }
        }
        self.partition = partition
        self.kept = kept
        calls = kept.map { partition.calls[$0].position }
        returns = kept.map { partition.calls[$0].returnPosition }
        zoneConflict = model.tokens(steps, outcomes: outcomes).flatMap { [calls, returns] in
            ZoneCheck.conflict(tokens: $0, initial: model.initialState, calls: calls, returns: returns)
        }
        var stepOrder: [Int] = []
        if !order.isEmpty {
            var stepAt: [Int: Int] = [:]
            for (s, position) in calls.enumerated() { stepAt[position] = s }
            stepOrder = order.compactMap { stepAt[$0] }
        }
        search = WGLSearch(model: model, steps: steps, calls: calls, returns: returns, order: stepOrder)
    }

    func resume(quantum: Int, budget: SearchBudget) -> Bool {
        search.resume(quantum: quantum, budget: budget) != nil
    }

    /// The partition as `ZoneCheck` proved it not linearizable: the steps that fix the two conflicting zones and
    /// a sentence saying why they cannot both hold.
    func zoneResult() -> Linearizability.PartitionResult {
        var out = Linearizability.PartitionResult(
            outcome: .notLinearizable, steps: search.n, explored: search.explored, deepest: search.deepest)
        guard let conflict = zoneConflict else { return out }
        let model = search.finalModel
        func op(_ s: Int) -> String { "#\(calls[s])" }
        func state(_ side: ZoneCheck.Side) -> String {
            side.observed || side.creator == nil ? "state \(model.describe(side.state))" : "the state it creates"
        }
        func span(_ side: ZoneCheck.Side) -> String {
            let from = side.firstReturn < 0 ? "the start of the history" : "the completion of \(op(side.firstReturn))"
            return "from \(from) to the invocation of \(op(side.lastInvoke))"
        }
        func who(_ side: ZoneCheck.Side) -> String {
            let readers = side.steps.filter { $0 != side.creator }.map(op)
            let made = side.creator.map { "made by \(op($0))" } ?? (side.firstReturn < 0 ? "the initial state" : nil)
            return ([made].compactMap { $0 } + (readers.isEmpty ? [] : ["seen by \(readers.joined(separator: ", "))"]))
                .joined(separator: ", ")
        }
        let outer = conflict.outer
        let proof: String
        var shown: [Int]
        if let inner = conflict.inner {
            let must = inner.forward
                ? "\(state(inner)) (\(who(inner))) must also hold \(span(inner)), and the two spans overlap"
                : "\(state(inner)) (\(who(inner))) must hold at some instant between the invocation of "
                    + "\(op(inner.lastInvoke)) and the completion of \(op(inner.firstReturn)), inside that span"
            proof = "\(state(outer)) (\(who(outer))) must hold \(span(outer)); \(must). A key holds one state at a "
                + "time and each of these states can come from one operation only, so no order of them is legal"
            shown = inner.steps + outer.steps
        } else {
            proof = "\(op(outer.lastInvoke)) read \(state(outer)), which no operation on this key can produce"
            shown = [outer.lastInvoke]
        }
        shown = shown.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        out.counterexample = Counterexample(
            key: partition.key, partitionOperations: search.n, prefix: [], state: model.describe(model.initialState),
            unplaced: shown.map { OperationSummary(partition.calls[kept[$0]]) })
        out.counterexample?.proof = proof
        out.counterexample?.operations = kept.map { OperationSummary(partition.calls[$0]) }
        return out
    }

    func result() -> Linearizability.PartitionResult {
        let outcome = search.outcome ?? .cancelled
        var out = Linearizability.PartitionResult(
            outcome: outcome, steps: search.n, explored: search.explored, deepest: search.deepest)
        guard outcome == .notLinearizable else { return out }
        // The remaining op that had to complete first, and everything concurrent with it.
        var placed = Array(repeating: false, count: search.n)
        for s in search.bestPrefix { placed[s] = true }
        let remaining = (0..<search.n).filter { !placed[$0] }
        let deadline = remaining.compactMap { returns[$0] }.min() ?? Int.max
        let blocking = remaining.filter { returns[$0] == deadline }
        let concurrent = remaining.filter { calls[$0] < deadline && returns[$0] != deadline }
        out.counterexample = Counterexample(
            key: partition.key, partitionOperations: search.n,
            prefix: search.bestPrefix.map { OperationSummary(partition.calls[kept[$0]]) },
            state: search.finalModel.describe(search.bestState),
            unplaced: (blocking + concurrent).map { OperationSummary(partition.calls[kept[$0]]) })
        // What the timeline draws: every operation of the partition and the state after each placed one.
        out.counterexample?.operations = kept.map { OperationSummary(partition.calls[$0]) }
        var model = search.finalModel
        out.counterexample?.prefixStates = Counterexample.states(after: search.bestPrefix, step: search.step,
                                                                  model: &model)
        return out
    }
}
