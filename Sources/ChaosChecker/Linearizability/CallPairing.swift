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
        var calls: [ModelCall] = []
        calls.reserveCapacity(history.count / 2 + 1)
        var open: [Int: Int] = [:]  // process → index into calls
        for (position, op) in history.operations.enumerated() {
            if op.type == .invoke {
                if let previous = open[op.process] {
                    throw CheckerError(operation: position, "process \(op.process) invoked '\(op.f)' while its "
                        + "'\(calls[previous].f)' from operation \(calls[previous].position) is still open; "
                        + "a process runs one operation at a time (give a retried client a fresh process id)")
                }
                open[op.process] = calls.count
                calls.append(ModelCall(position: position, returnPosition: nil, invoke: op, completion: nil))
            } else if let i = open.removeValue(forKey: op.process) {
                calls[i].completion = op
                // An `info` completion leaves the effect open until the end of the history.
                if op.type != .info { calls[i].returnPosition = position }
            }
            // A completion with no invocation (a history cut at its start) tells nothing: skip it.
        }
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
