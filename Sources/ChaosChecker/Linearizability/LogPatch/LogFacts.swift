import ChaosHistory

/// What a committed log says per key, once its readings from every replica are merged and replayed: which
/// values were committed, which writes took effect and in what order, and where the log contradicts itself.
struct LogFacts {
    /// How a committed entry's value affected its key.
    enum Effect: Equatable {
        /// It became the key's value.
        case effective
        /// A CAS whose expected value did not match: the key kept its value.
        case ineffective
        /// A CAS after a hole in the log: its effect cannot be told.
        case unknown
    }

    struct KeyFacts {
        /// Every value a committed put or CAS of this key carried, with its effect and the line it came from.
        var values: [String: (effect: Effect, line: Int, entry: CommittedEntry)] = [:]
        /// The values that became the key's value, in log order.
        var order: [String] = []
        /// Replicas disagree about an entry of this key: its order and drops are not used.
        var contradicted = false
    }

    /// Distinct committed indexes.
    var entries = 0
    /// No hole: every index from the first to the last was read from some replica.
    var complete = true
    var keys: [String?: KeyFacts] = [:]
    var findings: [LogFinding] = []

    init(_ lines: [CommittedLog.Line]) {
        var byIndex: [Int64: CommittedLog.Line] = [:]
        var disagreeing: [Int64: [CommittedLog.Line]] = [:]
        var holes: [Int64] = []  // first index of each `missing` range
        for line in lines {
            if line.entry.op == .missing {
                complete = false
                holes.append(line.entry.index)
                continue
            }
            guard let first = byIndex[line.entry.index] else {
                byIndex[line.entry.index] = line
                continue
            }
            if !first.entry.agrees(with: line.entry) { disagreeing[line.entry.index, default: []].append(line) }
        }
        entries = byIndex.count
        let indexes = byIndex.keys.sorted()
        if let low = indexes.first, let high = indexes.last, high - low + 1 != Int64(indexes.count) {
            complete = false
        }
        for index in disagreeing.keys.sorted() {
            let first = byIndex[index]!
            let others = disagreeing[index]!
            for key in Set([first.entry.key] + others.map(\.entry.key)) { keys[key, default: KeyFacts()].contradicted = true }
            findings.append(LogFinding(
                .replicasDisagree,
                "replicas disagree on committed entry \(index): " + ([first] + others).map {
                    "\($0.entry.text) at log line \($0.line)"
                }.joined(separator: " vs "),
                line: others[0].line))
        }
        // Keys start absent unless the log lost its beginning to compaction.
        let startKnown = !holes.contains { $0 <= (indexes.first ?? .max) }
        replay(indexes.map { byIndex[$0]! }, startKnown: startKnown)
    }

    private static func record(_ value: String, effect: Effect, line: CommittedLog.Line, in facts: inout KeyFacts) {
        if facts.values[value] != nil {
            facts.contradicted = true  // one value committed twice: it cannot name one write
        } else {
            facts.values[value] = (effect, line.line, line.entry)
        }
        if effect == .effective { facts.order.append(value) }
    }

    /// Replays puts and CASes in index order to learn each value's effect; a hole makes CAS effects unknown
    /// until the key is next put.
    private mutating func replay(_ lines: [CommittedLog.Line], startKnown: Bool) {
        enum State { case known(String?), unknown }
        var state: [String?: State] = [:]
        var previous: Int64?
        var fresh: State = startKnown ? .known(nil) : .unknown  // for a key first seen here
        for line in lines {
            let entry = line.entry
            if let previous, entry.index != previous + 1 {
                for key in state.keys { state[key] = .unknown }
                fresh = .unknown
            }
            previous = entry.index
            guard entry.op == .put || entry.op == .cas, let value = entry.value else { continue }
            let current = state[entry.key] ?? fresh
            let effect: Effect
            switch (entry.op, current) {
            case (.put, _): effect = .effective
            case (_, .known(let held)): effect = held == entry.expected ? .effective : .ineffective
            default: effect = .unknown
            }
            switch effect {
            case .effective: state[entry.key] = .known(value)
            case .ineffective: state[entry.key] = current
            case .unknown: state[entry.key] = .unknown
            }
            // Mutated in place: a copy taken out of `keys` would share the tables, and the first write to it
            // would copy them whole, once per entry (quadratic: 86k entries took over a minute).
            Self.record(value, effect: effect, line: line, in: &keys[entry.key, default: KeyFacts()])
        }
    }
}
