/// The kind of a history event, with Jepsen's meaning.
public enum OpType: String, Sendable, Hashable, CaseIterable, Codable {
    /// The client is about to perform the operation.
    case invoke
    /// The operation definitely took effect (and `value` holds what it returned).
    case ok
    /// The operation definitely did not take effect.
    case fail
    /// Unknown: the operation may have taken effect at any point after its invocation, or never.
    case info

    public var isCompletion: Bool { self != .invoke }
}

/// One event of a client history: an invocation or a completion (Jepsen semantics).
///
/// An invocation is completed by the next completion of the same `process`. A process whose operation ends
/// in `info` never invokes again; its client continues under a fresh process id.
public struct Operation: Sendable, Hashable {
    /// Dense position in the history, from 0.
    public var index: Int
    /// Nanoseconds since the start of the run (or of the recorded history).
    public var time: Int64
    public var process: Int
    public var type: OpType
    /// The function: `read`, `write`, `cas`, `append`, `txn`, `get`, `put`...
    public var f: String
    /// The independent key the operation touches, when the workload has several (Jepsen `independent`).
    public var key: Value?
    public var value: Value
    /// Why an operation failed or is indeterminate (`timeout`, `not-leader`...).
    public var error: String?
    /// The node that served (or was asked to serve) the operation, when known.
    public var node: String?

    public init(
        index: Int = 0, time: Int64, process: Int, type: OpType, f: String, key: Value? = nil,
        value: Value = .null, error: String? = nil, node: String? = nil
    ) {
        self.index = index
        self.time = time
        self.process = process
        self.type = type
        self.f = f
        self.key = key
        self.value = value
        self.error = error
        self.node = node
    }
}
