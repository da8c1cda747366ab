import ChaosClient
import ChaosControl
import ChaosHistory
import ChaosPlan

/// One client of the workload (Jepsen's worker): invokes operations one at a time and records each invocation
/// and completion. After an indeterminate (`info`) completion it continues under a fresh process id, because
/// its previous operation may still take effect at any later time.
struct WorkloadClient: Sendable {
    let slot: Int
    let clientCount: Int
    let generator: OpGenerator
    let system: any ClientProviding
    let cluster: [NodeAddress]
    let recorder: HistoryRecorder
    let timeout: Duration
    /// Seconds between invocations for this client; nil = back to back.
    let interval: Duration?
    /// The node every operation starts at (`bind: node`); nil = wherever the session last went.
    let home: String?
    let seed: UInt64
    /// The loop this client's task runs on (its executor preference), its connections live on, and its rate
    /// limiter waits on.
    let loop: ClientLoop

    func run(until end: ContinuousClock.Instant) async {
        var rng = SeededGenerator(seed: seed &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15)
        var process = slot
        var session = system.makeClient(cluster: cluster, loop: loop)
        // Spread clients over the interval so a rate limit does not arrive in bursts.
        var nextStart = ContinuousClock.now + (interval.map { $0 * Double(slot) / Double(clientCount) } ?? .zero)
        while !Task.isCancelled {
            if let interval {
                if nextStart >= end { break }
                await loop.sleep(until: nextStart)
                nextStart = max(nextStart + interval, .now - interval)
            }
            if ContinuousClock.now >= end || Task.isCancelled { break }
            let op = generator.next(using: &rng)
            if let home { session.begin(at: home) }
            let indeterminate = await perform(op, process: process, session: session)
            if indeterminate {
                process += clientCount
                session.close()
                session = system.makeClient(cluster: cluster, loop: loop)
            }
        }
        session.close()
    }

    /// Invokes one operation and records its outcome; returns true when the outcome was `info`.
    private func perform(_ op: PlannedOp, process: Int, session: any SystemClient) async -> Bool {
        let node = session.currentNode
        recorder.record(process: process, type: .invoke, f: op.f, key: op.key, value: op.invokeValue, node: node)
        let (type, value, error) = await execute(op, session: session)
        recorder.record(process: process, type: type, f: op.f, key: op.key, value: value, error: error,
                        node: session.currentNode)
        return type == .info
    }

    private func execute(_ op: PlannedOp, session: any SystemClient) async -> (OpType, Value, String?) {
        switch op.action {
        case .read(let key):
            switch await session.read(key, timeout: timeout) {
            case .ok(let text):
                guard let text else { return (.ok, .null, nil) }
                guard let number = Int64(text) else { return (.ok, .string(text), nil) }
                generator.values.observe(key, number)
                return (.ok, .int(number), nil)
            case .fail(let why): return (.fail, .null, why)
            case .info(let why): return (.info, .null, why)
            }
        case .write(let key, let value):
            return outcome(await session.write(key, String(value), timeout: timeout), op) { _ in
                generator.values.observe(key, value)
                return (.ok, op.invokeValue, nil)
            }
        case .cas(let key, let from, let to):
            return outcome(await session.cas(key, from: String(from), to: String(to), timeout: timeout), op) {
                swapped in
                guard swapped else { return (.fail, op.invokeValue, "mismatch") }
                generator.values.observe(key, to)
                return (.ok, op.invokeValue, nil)
            }
        case .append:
            return outcome(await session.append(op.invokeValue.stringValue ?? "", timeout: timeout), op) {
                index in (.ok, .int(index), nil)
            }
        }
    }

    private func outcome<T>(
        _ result: OpOutcome<T>, _ op: PlannedOp, ok: (T) -> (OpType, Value, String?)
    ) -> (OpType, Value, String?) {
        switch result {
        case .ok(let value): ok(value)
        case .fail(let why): (.fail, op.invokeValue, why)
        case .info(let why): (.info, op.invokeValue, why)
        }
    }
}
