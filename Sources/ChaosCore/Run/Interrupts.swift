import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT/SIGTERM into an orderly stop: the first signal cancels the run (faults are healed, nodes
/// stopped, results written with `interrupted: true`); a second one exits at once (nodes die with us through
/// their parent-death signal).
final class Interrupts: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let state: InterruptState

    init() {
        let state = InterruptState()
        var made: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { state.fire() }
            source.resume()
            made.append(source)
        }
        self.state = state
        sources = Mutex(made)
    }

    /// Whether a stop was requested.
    var interrupted: Bool { state.count > 0 }

    /// Sets what the first signal does (cancel the run's task).
    func onInterrupt(_ action: @escaping @Sendable () -> Void) {
        state.setAction(action)
    }

    /// Restores the default dispositions (after the run).
    func cancel() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// How many stop signals arrived, and what the first one does.
private final class InterruptState: Sendable {
    private let state = Mutex<(count: Int, action: (@Sendable () -> Void)?)>((0, nil))

    var count: Int { state.withLock { $0.count } }

    func setAction(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.action = action }
    }

    func fire() {
        let (count, action) = state.withLock { state -> (Int, (@Sendable () -> Void)?) in
            state.count += 1
            return (state.count, state.action)
        }
        if count == 1 {
            Console.status("\ninterrupted: healing faults, stopping nodes, writing results (Ctrl-C again to quit now)")
            action?()
        } else {
            _exit(ExitCode.interrupted.rawValue)
        }
    }
}
