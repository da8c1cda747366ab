import ChaosHistory

/// Knossos `multi-register`: several registers (every one initially 0) read and written together by `txn`
/// operations whose value is a list of `[:read k v]` / `[:write k v]` micro-ops. A read of nil is unconstrained.
struct MultiRegisterModel: SequentialModel {
    struct MicroOp: Hashable {
        var isWrite: Bool
        var register: Int
        /// Value id; -1 for an unconstrained read.
        var value: Int64
    }
    typealias Step = [MicroOp]

    private var registers: [Value: Int] = [:]
    private var registerNames: [Value] = []
    private var values = ValueTable()
    /// Interned states: each one a value id per register (registers first seen later read as 0).
    private var states: [[Int64]] = [[]]
    private var stateIds: [[Int64]: Int64] = [[]: 0]
    private let zero: Int64
    let initialState: Int64 = 0

    init() { zero = values.id(.int(0)) }

    mutating func step(for call: ModelCall) throws(CheckerError) -> Step? {
        guard call.f == "txn" else {
            throw call.error("model multi-register has no operation '\(call.f)' (it knows txn)")
        }
        if call.outcome == .fail { return nil }
        guard let micro = call.observed.vectorValue else {
            throw call.error("txn value must be a list of [:read k v] / [:write k v], found \(EDNWriter.text(call.observed))")
        }
        var steps: Step = []
        for op in micro {
            guard let parts = op.vectorValue, parts.count == 3, let kind = parts[0].stringValue,
                kind == "read" || kind == "write" || kind == "r" || kind == "w"
            else {
                throw call.error("txn micro-op must be [:read k v] or [:write k v], found \(EDNWriter.text(op))")
            }
            let isWrite = kind.hasPrefix("w")
            let register = registerIndex(parts[1])
            if !isWrite && (parts[2].isNull || call.outcome != .ok) { continue }
            steps.append(MicroOp(isWrite: isWrite, register: register, value: values.id(parts[2])))
        }
        return steps.isEmpty ? nil : steps
    }

    private mutating func registerIndex(_ name: Value) -> Int {
        if let i = registers[name] { return i }
        registers[name] = registerNames.count
        registerNames.append(name)
        return registerNames.count - 1
    }

    mutating func apply(_ step: Step, to state: Int64) -> Int64? {
        var current = states[Int(state)]
        var changed = false
        for op in step {
            while current.count <= op.register { current.append(zero) }
            if op.isWrite {
                if current[op.register] != op.value {
                    current[op.register] = op.value
                    changed = true
                }
            } else if current[op.register] != op.value {
                return nil
            }
        }
        if !changed { return state }
        if let id = stateIds[current] { return id }
        let id = Int64(states.count)
        states.append(current)
        stateIds[current] = id
        return id
    }

    func isReadOnly(_ step: Step) -> Bool { step.allSatisfy { !$0.isWrite } }

    func describe(_ state: Int64) -> String {
        let current = states[Int(state)]
        let parts = registerNames.indices.map { i in
            "\(EDNWriter.text(registerNames[i])) \(values.text(i < current.count ? current[i] : zero))"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
