import ChaosControl
import ChaosPlan

/// Injects and heals the process faults: `kill` (SIGKILL, restart at heal), `stop` (SIGTERM with a grace
/// period, restart at heal) and `pause` (SIGSTOP, SIGCONT at heal).
struct ProcessFaults: Sendable {
    let cluster: Cluster
    /// How long a stopped node may take to exit after SIGTERM before it is SIGKILLed.
    let stopGrace: Duration

    func inject(_ fault: Fault, on nodes: [String]) async throws(NemesisError) {
        switch fault {
        case .kill:
            await each(nodes) { await cluster.kill($0) }
        case .stop:
            await each(nodes) { await cluster.stop($0, grace: stopGrace) }
        case .pause:
            for node in nodes {
                do { try cluster.pause(node) } catch { throw .injectFailed("pause \(node): \(error)") }
            }
        case .partition, .netem, .rate, .pauseThread, .powerFailure, .diskError, .diskLatency, .jitter, .membership:
            throw .injectFailed("\(fault.rawValue) is injected by the nemesis itself, not as a process fault")
        }
    }

    func heal(_ fault: Fault, on nodes: [String]) async throws(NemesisError) {
        for node in nodes {
            do {
                switch fault {
                case .kill, .stop:
                    if !cluster.isRunning(node) { try cluster.launch(node) }
                case .pause:
                    try cluster.resume(node)
                case .partition, .netem, .rate, .pauseThread, .powerFailure, .diskError, .diskLatency, .jitter, .membership:
                    throw NemesisError.injectFailed("\(fault.rawValue) is healed by the nemesis itself")
                }
            } catch {
                throw .injectFailed("heal \(fault.rawValue) on \(node): \(error)")
            }
        }
    }

    private func each(_ nodes: [String], _ body: @escaping @Sendable (String) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { await body(node) } }
        }
    }
}
