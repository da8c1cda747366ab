import ChaosClient
import ChaosControl
import ChaosHistory
import ChaosPlan

/// Drives the plan's client workload against the cluster and records the history.
public struct Workload: Sendable {
    let spec: WorkloadSpec
    let system: any ClientProviding
    let cluster: [NodeAddress]
    let recorder: HistoryRecorder
    let seed: UInt64

    public init(spec: WorkloadSpec, system: any SystemAdapter, cluster: [NodeAddress], recorder: HistoryRecorder,
                seed: UInt64) {
        self.spec = spec
        // Every registered system has its client in ChaosClient (`ClientProvidingTests` checks each one).
        guard let system = system as? any ClientProviding else {
            preconditionFailure("system '\(system.name)' has no client: conform it to ClientProviding in ChaosClient")
        }
        self.system = system
        self.cluster = cluster
        self.recorder = recorder
        self.seed = seed
    }

    /// Runs every client until `end` (or cancellation); operations in flight then finish or time out.
    ///
    /// Each client's task runs on an event loop of NIO's shared group (taken in turn, so clients spread over the
    /// cores), where its connections live too: a request then never changes thread (see `ClientLoop`).
    public func run(until end: ContinuousClock.Instant) async {
        let generator = OpGenerator(kind: spec.kind, keys: spec.keys, values: ValueSource())
        let interval = spec.rate.map { Duration.seconds(Double(spec.clients) / $0) }
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<spec.clients {
                let loop = ClientLoop.next()
                let client = WorkloadClient(
                    slot: slot, clientCount: spec.clients, generator: generator, system: system, cluster: cluster,
                    recorder: recorder, timeout: spec.timeout, interval: interval,
                    home: spec.bind == .node && !cluster.isEmpty ? cluster[slot % cluster.count].id : nil, seed: seed,
                    loop: loop)
                group.addTask(executorPreference: loop) { await client.run(until: end) }
            }
        }
    }
}
