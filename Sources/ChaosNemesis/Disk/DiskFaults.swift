import ChaosControl
import ChaosPlan

#if canImport(Glibc)
import Glibc
#endif

/// Injects and heals the faults of the data-directory layer: `power-failure` (SIGKILL, then the node's disk
/// loses what was not durable; restarted on what is left at heal), `disk-error` (EIO/ENOSPC) and
/// `disk-latency`. Every inject says what it did, for the event's detail (bytes dropped, the error, the delay).
struct DiskFaults: Sendable {
    let cluster: Cluster

    /// - Parameter tornFraction: how much of the last undurable write a torn power failure keeps (0 … 1).
    /// - Returns: the event detail.
    func inject(_ step: ScheduledFault, on nodes: [String], tornFraction: Double) async throws(NemesisError)
        -> String {
        guard let layer = cluster.disk else {
            throw .injectFailed("\(step.fault.rawValue) needs 'disk: cached' (the nodes' data is on plain directories)")
        }
        let disk = step.disk ?? DiskFault()
        switch step.fault {
        case .powerFailure:
            // One power failure for every target at once: every disk stops taking changes, then all are killed,
            // then each drops its cache.
            for node in nodes { layer.freeze(node) }
            await withTaskGroup(of: Void.self) { group in
                for node in nodes { group.addTask { await cluster.kill(node) } }
            }
            // The nodes are dead and every request they had in flight was answered (the kernel waits for the
            // answer before the process can exit), so nothing they wrote can land after the drop.
            return nodes.map { node in
                let report = layer.powerOff(node, torn: disk.torn, fraction: tornFraction)
                return "\(node): \(report.map(\.description) ?? "not on the disk layer")"
            }.joined(separator: "; ")
        case .diskError:
            let code = disk.error == .eio ? EIO : ENOSPC
            for node in nodes {
                guard layer.setError(node, code: code, operations: Self.mask(disk.operations),
                                     pathPattern: disk.path) else {
                    throw .injectFailed("disk-error on \(node): bad path pattern '\(disk.path ?? "")'")
                }
            }
            let scope = disk.path.map { " on paths matching '\($0)'" } ?? ""
            return "\(disk.error.rawValue) from \(disk.operations.map(\.rawValue).joined(separator: ", "))\(scope)"
        case .diskLatency:
            for node in nodes {
                layer.setLatency(node, operations: Self.mask(disk.operations), mean: disk.delay, jitter: disk.jitter)
            }
            return "\(disk.operations.map(\.rawValue).joined(separator: ", ")) delayed"
                + " \(Units.format(disk.delay)) ± \(Units.format(disk.jitter))"
        default:
            throw .injectFailed("\(step.fault.rawValue) is not a disk fault")
        }
    }

    func heal(_ fault: Fault, on nodes: [String]) throws(NemesisError) {
        guard let layer = cluster.disk else { return }
        for node in nodes {
            switch fault {
            case .powerFailure:
                layer.powerOn(node)
                if !cluster.isRunning(node) {
                    do { try cluster.launch(node) } catch {
                        throw .injectFailed("heal power-failure on \(node): \(error)")
                    }
                }
            case .diskError:
                _ = layer.setError(node, code: 0, operations: 0, pathPattern: nil)
            case .diskLatency:
                layer.setLatency(node, operations: 0, mean: .zero, jitter: .zero)
            default:
                throw .injectFailed("\(fault.rawValue) is not a disk fault")
            }
        }
    }

    private static func mask(_ operations: [DiskFault.Operation]) -> Int32 {
        operations.reduce(0) { mask, operation in
            switch operation {
            case .write: mask | DiskOperationMask.write
            case .fsync: mask | DiskOperationMask.fsync
            case .read: mask | DiskOperationMask.read
            }
        }
    }
}
