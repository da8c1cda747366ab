import CChaosSys
import ChaosControl
import ChaosPlan
import Foundation

/// The `pause-thread` fault: freezes the matching threads of each target node, by ptrace (no cooperation) or by
/// a signal the node handles, and releases exactly those threads at heal.
enum ThreadPauses {
    /// Threads frozen on one node, to be released at heal.
    struct Frozen: Sendable {
        var node: String
        var pid: Int32
        var threads: [ThreadInfo]
        var mode: ThreadPause.Mode
    }

    /// - Returns: what was frozen and the time from the call until every thread was confirmed stopped (ptrace) or
    ///   signalled (signal mode).
    /// - Throws: `NemesisError` naming the node when it is not running, no thread matches (with its thread
    ///   names), or ptrace is refused; threads frozen before the failure are released first.
    static func freeze(_ pause: ThreadPause, on nodes: [String], in cluster: Cluster)
        async throws(NemesisError) -> ([Frozen], Duration)
    {
        let start = ContinuousClock.now
        var frozen: [Frozen] = []
        for node in nodes {
            guard let pid = cluster.pid(of: node) else {
                await release(frozen)
                throw .injectFailed("pause-thread: \(node) is not running")
            }
            do {
                switch pause.mode {
                case .ptrace:
                    let (threads, _) = try await ThreadFreezer.shared.freeze(pid: pid, matching: pause.pattern)
                    frozen.append(Frozen(node: node, pid: pid, threads: threads, mode: pause.mode))
                case .signal(let stop, _):
                    let threads = try ThreadFreezer.threads(of: pid, matching: pause.pattern)
                    for thread in threads where cchaos_tgkill(pid, thread.tid, stop) != 0 {
                        throw NemesisError.injectFailed("tgkill \(thread.tid) of \(node): \(String(cString: strerror(errno)))")
                    }
                    frozen.append(Frozen(node: node, pid: pid, threads: threads, mode: pause.mode))
                }
            } catch {
                await release(frozen)
                throw .injectFailed("pause-thread on \(node): \(error)")
            }
        }
        return (frozen, ContinuousClock.now - start)
    }

    /// Resumes what `freeze` froze (threads that died with their node are skipped).
    static func release(_ frozen: [Frozen]) async {
        for entry in frozen {
            switch entry.mode {
            case .ptrace:
                await ThreadFreezer.shared.release(entry.threads.map(\.tid))
            case .signal(_, let resume):
                for thread in entry.threads { _ = cchaos_tgkill(entry.pid, thread.tid, resume) }
            }
        }
    }

    /// One line for `events.jsonl`: `n2: raft-writer (4242)`.
    static func describe(_ frozen: [Frozen]) -> String {
        frozen.map { entry in
            "\(entry.node): " + entry.threads.map { "\($0.name) (\($0.tid))" }.joined(separator: ", ")
        }.joined(separator: "; ")
    }
}
