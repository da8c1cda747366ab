import ChaosHistory

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
