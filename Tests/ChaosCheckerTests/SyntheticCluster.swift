import ChaosHistory
import ChaosChecker
import Foundation

/// A made-up cluster sampled every 100 ms, for checker tests with known timing: the leader commits `rate`
/// entries per sample, followers apply everything unless a rule says otherwise.
struct SyntheticCluster {
    static let period: Int64 = 100_000_000

    var nodes = ["n1", "n2", "n3"]
    var seconds: Double = 60
    var rate: Int64 = 10
    /// For a node and a sample time, the index it reports, given the cluster's; nil = it does not answer.
    var follower: @Sendable (String, Int64, Int64) -> Int64?? = { _, _, _ in .none }

    func samples() -> [Sample] {
        var samples: [Sample] = []
        let ticks = Int64(seconds * 10)
        for tick in 0...ticks {
            let base = tick * Self.period
            let commit = tick * rate
            for (i, node) in nodes.enumerated() {
                let time = base + Int64(i) * 1_000_000  // nodes are polled one after another within a tick
                if node == "n1" {
                    samples.append(Sample(time: time, node: node, answered: true, role: "leader", commitIndex: commit,
                                          appliedIndex: commit))
                    continue
                }
                switch follower(node, time, commit) {
                case .none:
                    samples.append(Sample(time: time, node: node, answered: true, role: "follower",
                                          commitIndex: commit, appliedIndex: commit))
                case .some(.none):
                    samples.append(Sample(time: time, node: node, answered: false, error: "timeout"))
                case .some(.some(let index)):
                    samples.append(Sample(time: time, node: node, answered: true, role: "follower",
                                          commitIndex: index, appliedIndex: index))
                }
            }
        }
        return samples
    }

    func input(events: [NemesisEvent] = []) -> CheckInput {
        CheckInput(history: History(), samples: samples(), events: events, nodes: nodes, duration: seconds)
    }
}

/// Nanoseconds from seconds.
func ns(_ seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }

/// An injection and its heal, aimed at `targets`.
func fault(_ name: String, _ targets: [String], from: Double, to: Double?, id: Int = 1) -> [NemesisEvent] {
    var events = [NemesisEvent(time: ns(from), id: id, phase: .inject, fault: name, targets: targets)]
    if let to { events.append(NemesisEvent(time: ns(to), id: id, phase: .heal, fault: name, targets: targets)) }
    return events
}
