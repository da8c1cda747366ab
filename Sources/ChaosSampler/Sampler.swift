import ChaosControl
import ChaosHistory
import Synchronization

/// Polls every node on a fixed period — its own status API plus `/proc/PID` — and streams the samples to
/// `samples.jsonl`. A node that does not answer within the period is recorded as such: a paused or partitioned
/// node answering nothing is data, not an error.
public struct Sampler: Sendable {
    let cluster: Cluster
    let interval: Duration
    let start: ContinuousClock.Instant
    let output: JSONLWriter<Sample>
    /// The newest sample of each node, for progress lines.
    public let latest = LatestSamples()

    /// Samples `cluster` every `interval` into `output`, with times counted from `start`.
    public init(cluster: Cluster, interval: Duration, start: ContinuousClock.Instant, output: JSONLWriter<Sample>) {
        self.cluster = cluster
        self.interval = interval
        self.start = start
        self.output = output
    }

    /// Samples until the task is cancelled; each node on its own loop so one silent node never delays another.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for node in cluster.nodes {
                group.addTask { await poll(node) }
            }
        }
    }

    private func poll(_ node: NodeAddress) async {
        let endpoint = cluster.makeEndpoint(for: node)
        defer { endpoint.close() }
        var next = ContinuousClock.now
        while !Task.isCancelled {
            let taken = ContinuousClock.now
            var sample = Sample(time: (taken - start).nanoseconds, node: node.id, answered: false)
            if let pid = cluster.pid(of: node.id) {
                sample.pid = pid
                (sample.rssBytes, sample.threads) = ProcReader.memoryAndThreads(pid: pid)
                sample.openFDs = ProcReader.openFDs(pid: pid)
                do {
                    let status = try await cluster.system.status(of: node, via: endpoint, timeout: interval)
                    sample.answered = true
                    sample.role = status.role.rawValue
                    sample.term = status.term
                    sample.leader = status.leader
                    sample.commitIndex = status.commitIndex
                    sample.appliedIndex = status.appliedIndex
                    sample.lastIndex = status.lastIndex
                    sample.snapshotIndex = status.snapshotIndex
                } catch {
                    sample.error = error.description
                }
            } else {
                sample.error = "not running"
            }
            output.append(sample)
            latest.update(sample)
            next += interval
            if next < .now { next = .now }
            do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
        }
    }
}

/// The newest sample per node, shared between the sampler and the progress line.
public final class LatestSamples: Sendable {
    private let samples = Mutex<[String: Sample]>([:])

    func update(_ sample: Sample) {
        samples.withLock { $0[sample.node] = sample }
    }

    /// The node the freshest answering samples call leader, if any.
    public var leader: String? {
        samples.withLock { all in
            all.values.filter { $0.answered && $0.role == "leader" }.max { ($0.term ?? 0) < ($1.term ?? 0) }?.node
        }
    }
}
