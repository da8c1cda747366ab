import ChaosHistory

/// How many calls each key of a streamed history has, and the batches of keys the checker reads one at a time.
///
/// One pass holds a count per key and the open call per process; it also finds the one pairing error the
/// batches could not see (a process that invokes while its call on another key is still open).
struct KeyBatches {
    /// Calls per key (the invocation's key), in order of first call: the order of the partitions.
    var calls: [(key: Value?, count: Int)] = []
    /// Some call's key is named only by its completion: pairing must see every call at once to regroup it.
    var keyOnlyOnCompletion = false

    var total: Int { calls.reduce(0) { $0 + $1.count } }

    /// - Throws: `CheckerError` for a process that invokes while its previous call is open (as `CallPairing`
    ///   says it), or a history file that cannot be read.
    static func count(_ history: HistorySource) throws(CheckerError) -> KeyBatches {
        var batches = KeyBatches()
        var index: [Value?: Int] = [:]
        var open: [Int: (f: String, position: Int, keyless: Bool)] = [:]
        var position = -1
        var failure: CheckerError?
        do throws(HistoryError) {
            try history.forEach { op in
                position += 1
                guard failure == nil else { return }
                if op.type == .invoke {
                    if let previous = open[op.process] {
                        failure = CheckerError(operation: position, "process \(op.process) invoked '\(op.f)' while "
                            + "its '\(previous.f)' from operation \(previous.position) is still open; "
                            + "a process runs one operation at a time (give a retried client a fresh process id)")
                        return
                    }
                    open[op.process] = (op.f, position, op.key == nil)
                    if let i = index[op.key] {
                        batches.calls[i].count += 1
                    } else {
                        index[op.key] = batches.calls.count
                        batches.calls.append((op.key, 1))
                    }
                } else if let call = open.removeValue(forKey: op.process), call.keyless, op.key != nil {
                    batches.keyOnlyOnCompletion = true
                }
            }
        } catch {
            throw CheckerError("the history cannot be read: \(error)")
        }
        if let failure { throw failure }
        return batches
    }

    /// Keys grouped in order of first call, each group holding at most `limit` calls (or a single larger key).
    func batches(limit: Int) -> [Set<Value?>?] {
        var groups: [Set<Value?>?] = []
        var current: Set<Value?> = []
        var size = 0
        for (key, count) in calls {
            if !current.isEmpty && size + count > limit {
                groups.append(current)
                current = []
                size = 0
            }
            current.insert(key)
            size += count
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}
