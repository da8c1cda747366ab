import ChaosHistory

/// Log-informed checking (etcd's robustness tests call it patching the history): before the search, the
/// committed log decides what the history left open.
///
/// - An indeterminate write or CAS whose unique value reached no committed entry never took effect: it becomes
///   a failed one, which every model drops. One whose value took effect becomes `ok` with its effect still open
///   to the end of the history, so the search must place it.
/// - The log's order of effective writes per key becomes an order the search must keep (`Partition.logOrder`,
///   passed to the search as `Linearizability.Options.effectOrder`).
/// - What the history and the log disagree on is a `LogFinding`: a read of a value no committed entry holds,
///   an acknowledged write missing from the log, a failed write in it, replicas serving different entries, a
///   committed value no client wrote.
///
/// Every rewrite only removes linearizations the exact search would allow, or drops a write nobody observed
/// (which the exact search could always place last), so a history the exact search judges invalid never turns
/// valid. A log with holes (compaction outran the follower) drops nothing and reports no missing value.
enum LogPatch {
    /// Models whose operations are plain reads, writes and CASes of one value per key.
    static let models: Set<ModelName> = [.register, .casRegister, .etcdRegister, .kv]

    private static let reads: Set<String> = ["read", "get"]
    private static let writes: Set<String> = ["write", "put"]

    /// Rewrites `partitions` in place by what `log` says.
    /// - Parameters:
    ///   - allKeys: every key of the history when `partitions` are one batch of them (nil: they are all).
    ///   - whole: include the findings about the log as a whole and about keys no call touched (once per
    ///     history when it is checked in batches).
    static func apply(_ log: [CommittedLog.Line], to partitions: inout [CallPairing.Partition],
                      allKeys: Set<Value?>? = nil, whole: Bool = true) -> LogPatchSummary {
        let facts = LogFacts(log)
        var summary = LogPatchSummary()
        summary.entries = facts.entries
        summary.complete = facts.complete
        if whole { summary.findings = facts.findings }
        var seenKeys = Set((allKeys ?? []).map { $0.map(text) })
        for p in partitions.indices {
            let key = partitions[p].key.map(text)
            seenKeys.insert(key)
            patch(&partitions[p], facts: facts.keys[key] ?? LogFacts.KeyFacts(), complete: facts.complete,
                  summary: &summary)
        }
        for (key, keyFacts) in facts.keys where whole && !seenKeys.contains(key) {
            for (value, fact) in keyFacts.values {
                summary.findings.append(LogFinding(
                    .unknownValue, "committed entry \(fact.entry.text) holds \(value), which no client wrote "
                        + "(no operation touched key \(key ?? "nil"))", line: fact.line))
            }
        }
        summary.findings.sort { ($0.line ?? .max, $0.operation ?? .max) < ($1.line ?? .max, $1.operation ?? .max) }
        return summary
    }

    private static func patch(_ partition: inout CallPairing.Partition, facts: LogFacts.KeyFacts, complete: Bool,
                              summary: inout LogPatchSummary) {
        let calls = partition.calls
        guard calls.allSatisfy({ reads.contains($0.f) || writes.contains($0.f) || $0.f == "cas" }) else { return }
        // Written value → the calls that wrote it (a value written twice names no single write).
        var writers: [String: [Int]] = [:]
        for (i, call) in calls.enumerated() where !reads.contains(call.f) {
            if let value = newValue(call) { writers[value, default: []].append(i) }
        }
        let trusted = !facts.contradicted
        for (i, call) in calls.enumerated() {
            if reads.contains(call.f) {
                guard complete, trusted, call.outcome == .ok, let seen = call.completion?.value, !seen.isNull else {
                    continue
                }
                let value = text(seen)
                let fact = facts.values[value]
                if fact == nil || fact?.effect == .ineffective {
                    summary.findings.append(LogFinding(
                        .uncommittedRead, "served an uncommitted write: \(OperationSummary(call)) read \(value), "
                            + (fact.map { "but committed entry \($0.entry.text) did not apply" }
                                ?? "which no committed entry holds"),
                        line: fact?.line, operation: call.position, time: call.invoke.time))
                }
                continue
            }
            guard let value = newValue(call) else { continue }
            let fact = facts.values[value]
            let unique = writers[value]?.count == 1
            switch call.outcome {
            case .unknown:
                summary.indeterminate += 1
                guard unique, trusted else { continue }
                switch fact?.effect {
                case .effective?:
                    resolve(&partition.calls[i], tookEffect: true)
                    summary.tookEffect += 1
                case .ineffective?:
                    resolve(&partition.calls[i], tookEffect: false)
                    summary.neverTookEffect += 1
                case nil where complete:
                    resolve(&partition.calls[i], tookEffect: false)
                    summary.neverTookEffect += 1
                default: break
                }
            case .ok:
                guard complete, trusted, unique, fact == nil || fact?.effect == .ineffective else { continue }
                summary.findings.append(LogFinding(
                    .lostWrite, "acknowledged write lost: \(OperationSummary(call)) "
                        + (fact.map { "is committed as \($0.entry.text) but did not apply" }
                            ?? "reached no committed entry"),
                    line: fact?.line, operation: call.position, time: call.invoke.time))
            case .fail:
                guard unique, trusted, let fact, fact.effect == .effective else {
                    continue
                }
                summary.findings.append(LogFinding(
                    .failedWriteCommitted, "a write reported failed took effect: \(OperationSummary(call)) is "
                        + "committed as \(fact.entry.text)", line: fact.line, operation: call.position,
                    time: call.invoke.time))
            }
        }
        for (value, fact) in facts.values where writers[value] == nil {
            summary.findings.append(LogFinding(
                .unknownValue, "committed entry \(fact.entry.text) holds \(value), which no client wrote to that key",
                line: fact.line))
        }
        guard trusted else { return }
        let order = facts.order.compactMap { value -> Int? in
            guard let w = writers[value], w.count == 1, partition.calls[w[0]].outcome == .ok else { return nil }
            return w[0]
        }
        if order.count > 1 {
            partition.logOrder = order
            summary.ordered += order.count
        }
    }

    /// Makes an indeterminate call `ok` (its effect still open to the end of the history) or `fail`.
    private static func resolve(_ call: inout ModelCall, tookEffect: Bool) {
        var completion = call.completion
            ?? Operation(time: call.invoke.time, process: call.invoke.process, type: .info, f: call.f,
                         key: call.invoke.key, value: call.invoke.value)
        completion.type = tookEffect ? .ok : .fail
        completion.value = call.invoke.value
        completion.error = tookEffect ? "indeterminate; the log shows it took effect"
            : "indeterminate; the log shows it never took effect"
        call.completion = completion
        call.returnPosition = nil
    }

    /// The value a write or CAS stores, as the log holds it.
    private static func newValue(_ call: ModelCall) -> String? {
        if call.f == "cas" {
            guard let pair = call.requested.vectorValue, pair.count == 2 else { return nil }
            return text(pair[1])
        }
        return call.requested.isNull ? nil : text(call.requested)
    }

    /// A history value as systems store it: strings as they are, numbers in decimal, anything else as EDN.
    static func text(_ value: Value) -> String {
        switch value {
        case .string(let s), .keyword(let s): s
        case .int(let i): String(i)
        default: EDNWriter.text(value)
        }
    }
}
