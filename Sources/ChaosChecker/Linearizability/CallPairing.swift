import ChaosHistory

/// Pairs each invocation with the next completion of its process (Jepsen semantics) and splits the calls into
/// independent partitions by `key` (P-compositionality: a history is linearizable iff each key's is).
enum CallPairing {
    struct Partition {
        var key: Value?
        var calls: [ModelCall]
        /// Indexes into `calls` of writes the committed log orders: the search linearizes them in this order
        /// (set by `LogPatch`; nil without a log).
        var logOrder: [Int]? = nil
    }

    /// - Throws: `CheckerError` when a process invokes again while its previous operation is still open.
    static func partitions(_ history: History) throws(CheckerError) -> [Partition] {
        try partitions(.memory(history))
    }

    /// - Parameter positionsFromIndex: take each operation's history position from its `index` (a spill file
    ///   holding one bucket of a history's keys) instead of counting operations.
    /// - Throws: `CheckerError` when a process invokes again while its previous operation is still open, or
    ///   when the history file cannot be read.
    static func partitions(_ history: HistorySource, positionsFromIndex: Bool = false) throws(CheckerError)
        -> [Partition] {
        var pairer = Pairer()
        var position = -1
        var failure: CheckerError?
        // Read as a stream: only the calls are kept, never the operations list next to them.
        do throws(HistoryError) {
            try history.forEach { op in
                position += 1
                guard failure == nil else { return }
                failure = pairer.add(op, at: positionsFromIndex ? op.index : position)
            }
        } catch {
            throw CheckerError("the history cannot be read: \(error)")
        }
        if let failure { throw failure }
        return pairer.partitions()
    }

    /// Pairs operations handed over one at a time. Calls go straight into their key's partition (no list of all
    /// calls next to the partitions: a long history's calls are the checker's largest memory before the search).
    struct Pairer {
        private var byKey: [Value?: Int] = [:]
        private(set) var grouped: [Partition] = []
        private var open: [Int: (partition: Int, index: Int)] = [:]  // process → its open call
        private var regroup = false
        private(set) var calls = 0

        /// - Returns: the error of a process that invokes while its previous call is still open.
        mutating func add(_ op: Operation, at position: Int) -> CheckerError? {
            if op.type == .invoke {
                if let previous = open[op.process] {
                    let call = grouped[previous.partition].calls[previous.index]
                    return CheckerError(operation: position, "process \(op.process) invoked '\(op.f)' while its "
                        + "'\(call.f)' from operation \(call.position) is still open; "
                        + "a process runs one operation at a time (give a retried client a fresh process id)")
                }
                let p: Int
                if let known = byKey[op.key] {
                    p = known
                } else {
                    p = grouped.count
                    byKey[op.key] = p
                    grouped.append(Partition(key: op.key, calls: []))
                }
                open[op.process] = (p, grouped[p].calls.count)
                grouped[p].calls.append(ModelCall(position: position, returnPosition: nil, invoke: op,
                                                  completion: nil))
                calls += 1
            } else if case let (p, i)? = open.removeValue(forKey: op.process) {
                grouped[p].calls[i].completion = op
                // An `info` completion leaves the effect open until the end of the history.
                if op.type != .info { grouped[p].calls[i].returnPosition = position }
                // A call whose key only its completion names belongs to that key's partition.
                if op.key != nil && grouped[p].calls[i].invoke.key == nil { regroup = true }
            }
            // A completion with no invocation (a history cut at its start) tells nothing: skip it.
            return nil
        }

        /// Some call's key is named only by its completion.
        var needsRegrouping: Bool { regroup }

        func partitions() -> [Partition] { regroup ? CallPairing.regrouped(grouped) : grouped }
    }

    /// Partitions by each call's key (the invocation's, else the completion's), in order of first call, each
    /// holding its calls in history order.
    fileprivate static func regrouped(_ grouped: [Partition]) -> [Partition] {
        let calls = grouped.flatMap(\.calls).sorted { $0.position < $1.position }
        var byKey: [Value?: Int] = [:]
        var partitions: [Partition] = []
        for call in calls {
            let key = call.invoke.key ?? call.completion?.key
            if let p = byKey[key] {
                partitions[p].calls.append(call)
            } else {
                byKey[key] = partitions.count
                partitions.append(Partition(key: key, calls: [call]))
            }
        }
        return partitions
    }
}
