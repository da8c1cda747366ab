import ChaosHistory

/// One client operation as the linearizability search sees it: an invocation paired with its completion.
public struct ModelCall: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// Completed `ok`: it took effect and `value` is what it returned.
        case ok
        /// Completed `fail`. Knossos: it did not happen. Porcupine's etcd logs: it happened and saw a mismatch.
        case fail
        /// `info` or never completed: it may have taken effect at any point after its invocation, or never.
        case unknown
    }

    /// Position of the invocation in the history.
    public var position: Int
    /// Position of the completion, or nil when its effect is open until the end of time.
    public var returnPosition: Int?
    public var invoke: Operation
    public var completion: Operation?

    public var outcome: Outcome {
        switch completion?.type {
        case .ok?: .ok
        case .fail?: .fail
        default: .unknown
        }
    }

    public var f: String { invoke.f }

    /// What the operation returned when it completed `ok`, else what it asked for.
    public var observed: Value {
        if outcome == .ok, let completion, !completion.value.isNull { return completion.value }
        return invoke.value
    }

    /// What the operation asked for (falls back to the completion's value when the invocation had none).
    public var requested: Value {
        if invoke.value.isNull, let completion { return completion.value }
        return invoke.value
    }

    /// An error about this call's invocation.
    func error(_ message: String) -> CheckerError { CheckerError(operation: position, message) }
}
