import Foundation
import ChaosHistory
import ChaosNemesis
import ChaosSampler

/// Shows how a run is going: on a terminal a live line every 250 ms, otherwise a plain line every 5 s.
///
/// `[12.0s/30s] 1480 ops/s · ok 10234 fail 12 info 3 · leader n2 · faults: kill n1`
struct Progress: Sendable {
    let recorder: HistoryRecorder
    let nemesis: Nemesis
    let latest: LatestSamples
    let start: ContinuousClock.Instant
    let total: Duration

    func run() async {
        let period: Duration = Console.isTerminal ? .milliseconds(250) : .seconds(5)
        var previous = recorder.counts
        var previousTime = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { break }
            let counts = recorder.counts
            let now = ContinuousClock.now
            let completed = (counts.ok + counts.fail + counts.info) - (previous.ok + previous.fail + previous.info)
            let rate = Double(completed) / max((now - previousTime).seconds, 0.001)
            (previous, previousTime) = (counts, now)
            let faults = await nemesis.activeDescriptions
            let line = "[\(format(now - start))/\(format(total))] \(Int(rate)) ops/s · ok \(counts.ok) "
                + "fail \(counts.fail) info \(counts.info) · leader \(latest.leader ?? "none")"
                + (faults.isEmpty ? "" : " · faults: " + faults.joined(separator: ", "))
            if Console.isTerminal { Console.live(line) } else { Console.status(line) }
        }
        if Console.isTerminal { Console.live("") }
    }

    private func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 100 ? String(format: "%.1fs", seconds) : "\(Int(seconds))s"
    }
}
