import ChaosControl
import ChaosReport
import Foundation
import Synchronization

/// Measures the controller's own footprint over the main phase (`ControllerFootprint`): its resident set at the
/// start, sampled with every history flush for the peak, at the end, and its CPU time from `getrusage`.
final class ControllerMeter: Sendable {
    private let startRSS: Int64
    private let startCPU: Double
    private let began = ContinuousClock.now
    private let peak: Atomic<Int64>

    init() {
        startRSS = Self.rss()
        startCPU = Self.cpu()
        peak = Atomic(startRSS)
    }

    /// Notes the resident set now (a read of /proc/self/status).
    func sample() {
        peak.max(Self.rss(), ordering: .relaxed)
    }

    /// The footprint from the start until now, for `operations` client operations.
    func finish(operations: Int) -> ControllerFootprint {
        let end = Self.rss()
        peak.max(end, ordering: .relaxed)
        return ControllerFootprint(rssStartBytes: startRSS, rssPeakBytes: peak.load(ordering: .relaxed),
                                   rssEndBytes: end, cpuSeconds: Self.cpu() - startCPU, operations: operations,
                                   mainPhaseSeconds: (ContinuousClock.now - began).seconds)
    }

    /// The process's highest resident set so far (`ru_maxrss`).
    static func lifetimePeak() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
    }

    private static func rss() -> Int64 { ProcReader.rssBytes(pid: getpid()) ?? 0 }

    private static func cpu() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
