import ChaosChecker
import ChaosPlan

/// The lag, leak, liveness and divergence checkers a plan's `checks:` asks for, with its settings.
public enum HealthCheckers {
    /// - Parameter opTimeout: the workload's per-operation deadline; a failure that took this long is an
    ///   operation the client gave up on, which liveness counts as never completed.
    /// - Returns: the checkers in the order their results are listed (lag, leak, liveness, divergence).
    /// - Parameter system: picks the leak checker's default growth per committed entry.
    public static func make(from checks: ChecksSpec, opTimeout: Duration? = nil,
                            system: ClusterSpec.System = .raftNode) -> [any Checker] {
        var checkers: [any Checker] = []
        if let lag = checks.lag {
            checkers.append(LagChecker(maxEntries: lag.maxEntries, stallAfter: lag.stallAfter,
                                       catchUpWithin: lag.catchUpWithin, grace: lag.grace))
        }
        if let leak = checks.leak {
            checkers.append(LeakChecker(maxRSSGrowthPerHour: leak.maxRSSGrowthPerHour,
                                        maxFDGrowthPerHour: leak.maxFDGrowthPerHour,
                                        maxThreadGrowthPerHour: leak.maxThreadGrowthPerHour,
                                        maxRSSPerEntry: leak.maxRSSPerEntry
                                            ?? ChecksSpec.Leak.defaultMaxRSSPerEntry(for: system), warmUp: leak.warmUp))
        }
        if let liveness = checks.liveness {
            checkers.append(LivenessChecker(recoverWithin: liveness.recoverWithin, opTimeout: opTimeout))
        }
        if checks.divergence != nil { checkers.append(DivergenceChecker()) }
        return checkers
    }
}
