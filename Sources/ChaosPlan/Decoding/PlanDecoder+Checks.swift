import ChaosChecker
import Foundation
import Yams

/// The `checks:` section: which checkers judge the run, with their settings.
extension PlanDecoder {
    static let checkerNames = CheckName.allCases.map(\.rawValue)
    static let statsKeys = ["min_availability"]
    static let crashKeys = ["patterns"]
    static let linearizableKeys = ["model", "time_limit", "memory_limit"]
    /// The models a plan may name for the linearizability checker (`ChecksSpec.Linearizable.model`).
    static let linearizableModels = ModelName.inPlans.map(\.rawValue)

    /// A checker listed with an empty value (`stats:`) or `{}` runs with its defaults; one not listed does not run.
    mutating func decodeChecks(_ entry: Entry) -> ChecksSpec? {
        guard let fields = fields(of: entry, known: Self.checkerNames, what: "checker")
        else { return nil }
        var checks = ChecksSpec(stats: nil, crash: nil, linearizable: nil)
        var failed = false
        if let entry = fields["lag"] {
            if let lag = decodeLag(entry) { checks.lag = lag } else { failed = true }
        }
        if let entry = fields["leak"] {
            if let leak = decodeLeak(entry) { checks.leak = leak } else { failed = true }
        }
        if let entry = fields["liveness"] {
            if let liveness = decodeLiveness(entry) { checks.liveness = liveness } else { failed = true }
        }
        if let entry = fields["divergence"] {
            if let divergence = decodeDivergence(entry) { checks.divergence = divergence } else { failed = true }
        }
        if let entry = fields["stats"] {
            if let stats = decodeStats(entry) { checks.stats = stats } else { failed = true }
        }
        if let entry = fields["crash"] {
            if let crash = decodeCrash(entry) { checks.crash = crash } else { failed = true }
        }
        if let entry = fields["linearizable"] {
            if let linearizable = decodeLinearizable(entry) {
                checks.linearizable = linearizable
            } else {
                failed = true
            }
        }
        return failed ? nil : checks
    }

    /// A memory size of at least 1 MiB (`512MiB`, `4GB`): less could not even hold the controller.
    private mutating func memorySize(_ entry: Entry) -> Int? {
        guard let text = string(entry) else { return nil }
        guard let bytes = Units.parseSize(text), bytes <= Int64(Int.max) else {
            error("'\(entry.name)' must be a size such as 512MiB or 4GB, got '\(text)'", at: entry.value)
            return nil
        }
        guard bytes >= 1 << 20 else {
            error("'\(entry.name)' must be at least 1MiB, got '\(text)'", at: entry.value)
            return nil
        }
        return Int(bytes)
    }

    /// The fields of one checker's settings; an empty value means "all defaults".
    mutating func settings(_ entry: Entry, known: [String]) -> Fields? {
        if isNull(entry.value) { return Fields(node: entry.value, entries: [:]) }
        return fields(of: entry, known: known)
    }

    private mutating func decodeStats(_ entry: Entry) -> ChecksSpec.Stats? {
        guard let fields = settings(entry, known: Self.statsKeys) else { return nil }
        var stats = ChecksSpec.Stats()
        if let entry = fields["min_availability"] {
            guard let fraction = percent(entry) else { return nil }
            stats.minAvailability = fraction
        }
        return stats
    }

    private mutating func decodeCrash(_ entry: Entry) -> ChecksSpec.Crash? {
        guard let fields = settings(entry, known: Self.crashKeys) else { return nil }
        var crash = ChecksSpec.Crash()
        if let entry = fields["patterns"] {
            guard let patterns = strings(entry) else { return nil }
            // A pattern that does not compile would only fail once the run is over; say so now.
            var failed = false
            for (pattern, node) in zip(patterns, entry.value.sequence ?? []) {
                do {
                    _ = try NSRegularExpression(pattern: pattern)
                } catch {
                    self.error("'patterns' has an invalid regular expression '\(pattern)'", at: node)
                    failed = true
                }
            }
            if failed { return nil }
            crash.patterns = patterns
        }
        return crash
    }

    private mutating func decodeLinearizable(_ entry: Entry) -> ChecksSpec.Linearizable? {
        guard let fields = settings(entry, known: Self.linearizableKeys) else { return nil }
        var linearizable = ChecksSpec.Linearizable()
        var failed = false
        if let entry = fields["model"], let model = string(entry) {
            if let known = ModelName(rawValue: model), ModelName.inPlans.contains(known) {
                linearizable.model = known
            } else {
                error("unknown model '\(model)'" + Suggestion.hint(for: model, among: Self.linearizableModels),
                      at: entry.value)
                failed = true
            }
        } else if fields["model"] != nil {
            failed = true
        }
        if let entry = fields["time_limit"] {
            if let limit = duration(entry, allowZero: false) { linearizable.timeLimit = limit } else { failed = true }
        }
        if let entry = fields["memory_limit"] {
            if let limit = memorySize(entry) { linearizable.memoryLimit = limit } else { failed = true }
        }
        return failed ? nil : linearizable
    }
}
