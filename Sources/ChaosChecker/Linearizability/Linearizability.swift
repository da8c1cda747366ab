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

    /// Calls held at once when a history file is checked a batch of keys at a time (`Options.batchCalls`):
    /// about 400 MB of calls and search state. Histories up to this size are searched whole, all their keys
    /// spread over the search's workers: at 250,000 a 2-minute 256-client run (663k calls, 8 keys) was cut into
    /// three batches whose searches could not fill both cores and took 48 s instead of 24 s of its 60 s limit.
    public static let defaultBatchCalls = 1_000_000

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
        /// A history file with more calls than this is split by key and checked a batch of keys at a time (each
        /// batch at most this many calls, or one bucket of keys), so the checker never holds all the calls at once.
        public var batchCalls: Int = Linearizability.defaultBatchCalls

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
        try check(.memory(history), model: model, timeLimit: timeLimit, memoryLimit: memoryLimit,
                  registersStartAbsent: registersStartAbsent, log: log)
    }

    /// Checks a history read as a stream (a run's `history.jsonl`): only the paired calls are held.
    public static func check(
        _ history: HistorySource, model: ModelName, timeLimit: Duration = .seconds(60),
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
        try check(.memory(history), model: model, options: options)
    }

    /// Checks a history read as a stream; see `check(_:model:options:)`.
    ///
    /// A file (a run's `history.jsonl`) with more calls than `Options.batchCalls` is split by key into spill
    /// files in the same pass that reads it (`PartitionSpill`); each batch of keys is then read back, searched and
    /// dropped before the next, so the checker holds one batch's calls at a time, not the history's. A batch
    /// proven not linearizable decides the verdict and the later batches are not searched. The time limit counts
    /// the searches, not the reading.
    public static func check(_ history: HistorySource, model: ModelName, options: Options)
        throws(CheckerError) -> LinearizabilityReport
    {
        let started = ContinuousClock.now
        var budget = SearchBudget(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit,
                                  refineBudget: options.refineBudget)
        let outcome: PartitionSpill.Outcome
        if case .file(let path) = history {
            outcome = try PartitionSpill.read(path, limit: options.batchCalls)
            // Reading the file is not searching (a run read back from memory never counted it either).
            budget = SearchBudget(timeLimit: options.timeLimit, memoryLimit: options.memoryLimit,
                                  refineBudget: options.refineBudget)
        } else {
            outcome = .whole(try CallPairing.partitions(history))
        }
        let batches: [[Int]]
        var spilled: PartitionSpill.Spilled?
        switch outcome {
        case .whole: batches = [[]]
        case .spilled(let files):
            spilled = files
            batches = files.batches(limit: options.batchCalls)
        }
        var results: [PartitionResult] = []
        var patched: LogPatchSummary?
        var operations = 0, partitionCount = 0
        var searching: Duration = .zero
        var peak = 0
        for (number, batch) in batches.enumerated() {
            if let spilled, number > 0 {
                if budget.stop != .none || results.contains(where: { $0.outcome == .notLinearizable }) {
                    // Decided or out of budget: what is left is counted, not searched.
                    for key in batch.flatMap({ spilled.files[$0].keys }) {
                        results.append(PartitionResult(outcome: .cancelled, steps: key.calls, explored: 0,
                                                       deepest: 0))
                        operations += key.calls
                        partitionCount += 1
                    }
                    continue
                }
                // Each batch searches for what is left of the time limit.
                budget = SearchBudget(timeLimit: options.timeLimit - searching, memoryLimit: options.memoryLimit,
                                      refineBudget: options.refineBudget)
            }
            let batchStarted = ContinuousClock.now
            var partitions: [CallPairing.Partition]
            if case .whole(let all) = outcome { partitions = all } else { partitions = try spilled!.partitions(batch) }
            operations += partitions.reduce(0) { $0 + $1.calls.count }
            partitionCount += partitions.count
            if let log = options.log, LogPatch.models.contains(model) {
                // Findings about the log as a whole, and about keys no call touched, come with the first batch.
                let summary = LogPatch.apply(log, to: &partitions, allKeys: spilled?.allKeys, whole: number == 0)
                patched = patched.map { $0.merged(summary) } ?? summary
            }
            results += try search(partitions, model: model, options: options, budget: budget)
            searching += ContinuousClock.now - batchStarted
            peak = max(peak, budget.peakResidentBytes.load(ordering: .relaxed))
        }
        var report = LinearizabilityReport(
            verdict: .valid, model: model, operations: operations,
            partitions: partitionCount, statesExplored: results.reduce(0) { $0 + $1.explored },
            elapsed: ContinuousClock.now - started)
        report.peakMemory = peak
        let failed = results.filter { $0.outcome == .notLinearizable }
        if let smallest = failed.min(by: { $0.steps < $1.steps }) {
            report.verdict = .invalid
            report.counterexample = smallest.counterexample
        } else if results.contains(where: { $0.outcome != .linearizable }) {
            report.verdict = .unknown
            report.reason = progress(results, budget: budget, timeLimit: options.timeLimit)
        }
        if let patched {
            report.log = patched
            if !patched.findings.isEmpty { report.verdict = .invalid }
        }
        return report
    }

    /// Compiles and searches one batch of partitions together: the first proven not linearizable ends the
    /// others; a partition the zones proved not linearizable decides without waiting for the rest.
    private static func search(_ partitions: [CallPairing.Partition], model: ModelName, options: Options,
                               budget: SearchBudget) throws(CheckerError) -> [PartitionResult] {
        func register(_ semantics: RegisterModel.Semantics) -> RegisterModel.Semantics {
            options.registersStartAbsent ? semantics.startingAbsent : semantics
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
            return [searched?.outcome == .notLinearizable ? searched! : proven.zoneProof!()]
        }
        PartitionScheduler.run(jobs, budget: budget)
        return jobs.map { $0.result() }
    }

    /// Why the search stopped and how far it got: `time limit of 2s reached: 7 of 10 partitions linearizable,
    /// 3 unfinished (largest 812 operations, deepest prefix 640)`.
    private static func progress(_ results: [PartitionResult], budget: SearchBudget, timeLimit: Duration)
        -> String {
        let unfinished = results.filter { $0.outcome != .linearizable }
        let done = results.count - unfinished.count
        let limit = switch budget.stop {
        case .memory:
            "memory limit of \(budget.memoryLimit >> 20) MiB reached (the process held "
                + "\(budget.peakResidentBytes.load(ordering: .relaxed) >> 20) MiB)"
        default: "time limit of \(timeLimit) reached"
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
