import ChaosHistory
import ChaosPlan

/// The next operation a client should invoke: Jepsen's `generator`, per workload kind.
struct PlannedOp: Sendable {
    enum Action: Sendable {
        case read(key: String)
        case write(key: String, value: Int64)
        case cas(key: String, from: Int64, to: Int64)
        case append(entry: String)
    }

    var action: Action

    var f: String {
        switch action {
        case .read: "read"
        case .write: "write"
        case .cas: "cas"
        case .append: "append"
        }
    }

    var key: Value? {
        switch action {
        case .read(let key), .write(let key, _), .cas(let key, _, _): .string(key)
        case .append: nil
        }
    }

    /// The value recorded with the invocation.
    var invokeValue: Value {
        switch action {
        case .read: .null
        case .write(_, let value): .int(value)
        case .cas(_, let from, let to): .vector([.int(from), .int(to)])
        case .append(let entry): .string(entry)
        }
    }
}

/// Draws operations for one workload kind. Written values are unique across the run so that every read can be
/// traced to the one write that produced it, which keeps the history checkable.
struct OpGenerator: Sendable {
    let kind: WorkloadSpec.Kind
    let keys: Int
    let values: ValueSource

    func next(using rng: inout some RandomNumberGenerator) -> PlannedOp {
        switch kind {
        case .append:
            return PlannedOp(action: .append(entry: "e\(values.fresh())"))
        case .register:
            let key = "k\(Int.random(in: 0..<keys, using: &rng))"
            return Double.random(in: 0..<1, using: &rng) < 0.5
                ? PlannedOp(action: .read(key: key))
                : PlannedOp(action: .write(key: key, value: values.fresh()))
        case .casRegister:
            let key = "k\(Int.random(in: 0..<keys, using: &rng))"
            let roll = Double.random(in: 0..<1, using: &rng)
            if roll < 0.5 { return PlannedOp(action: .read(key: key)) }
            if roll < 0.7 { return PlannedOp(action: .write(key: key, value: values.fresh())) }
            // Compare against the value last seen for the key, so that a good share of CAS operations succeed.
            let from = values.lastSeen(key) ?? values.fresh()
            return PlannedOp(action: .cas(key: key, from: from, to: values.fresh()))
        }
    }
}
