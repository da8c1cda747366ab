import ChaosHistory

/// A single register with `read`, `write` and `cas [expected new]`, in Knossos or Porcupine-etcd semantics.
///
/// - `register`: Knossos `register`, initially nil; a read of nil matches any state.
/// - `cas-register`: Knossos `cas-register`, initially 0; a failed CAS did not happen.
/// - `etcd-register`: Porcupine's etcd model, initially absent; a read of nil saw the absent value, and a failed
///   CAS happened and saw a value other than its expected one.
struct RegisterModel: SequentialModel {
    enum Step: Hashable {
        case read(Int64)
        case write(Int64)
        case cas(Int64, Int64)
        /// A CAS that happened and did not match (etcd).
        case casMismatch(Int64)
        /// A CAS of unknown outcome: swaps when it matches, else behaves as if it never happened.
        case casMaybe(Int64, Int64)
    }

    struct Semantics: Sendable {
        var name: String
        /// Nil: the register starts absent (distinct from every written value).
        var initial: Value?
        /// Knossos: a read of nil is unconstrained. etcd: it observed the absent value.
        var nilReadIsUnconstrained: Bool
        /// etcd: a failed CAS happened and observed a mismatch.
        var failedCASObserves: Bool
        var allowsCAS: Bool

        /// The same semantics for a register that starts absent, where reading nil observes that absence.
        var startingAbsent: Semantics {
            var copy = self
            copy.initial = nil
            copy.nilReadIsUnconstrained = false
            return copy
        }
    }

    static let register = Semantics(name: "register", initial: .null, nilReadIsUnconstrained: true,
                                    failedCASObserves: false, allowsCAS: false)
    static let casRegister = Semantics(name: "cas-register", initial: .int(0), nilReadIsUnconstrained: true,
                                       failedCASObserves: false, allowsCAS: true)
    static let etcdRegister = Semantics(name: "etcd-register", initial: nil, nilReadIsUnconstrained: false,
                                        failedCASObserves: true, allowsCAS: true)

    static let absent: Int64 = -1

    let semantics: Semantics
    private var values = ValueTable()
    let initialState: Int64

    init(_ semantics: Semantics) {
        self.semantics = semantics
        if let initial = semantics.initial {
            initialState = values.id(initial)
        } else {
            initialState = Self.absent
        }
    }

    mutating func step(for call: ModelCall) throws(CheckerError) -> Step? {
        switch call.f {
        case "read":
            guard call.outcome == .ok else { return nil }  // reads change nothing: only a seen value constrains
            let seen = call.completion?.value ?? .null
            if seen.isNull { return semantics.nilReadIsUnconstrained ? nil : .read(Self.absent) }
            return .read(values.id(seen))
        case "write":
            if call.outcome == .fail { return nil }
            return .write(values.id(call.requested))
        case "cas" where semantics.allowsCAS:
            guard let pair = call.requested.vectorValue, pair.count == 2 else {
                throw call.error("cas value must be [expected new], found \(EDNWriter.text(call.requested))")
            }
            let expected = values.id(pair[0])
            let new = values.id(pair[1])
            switch call.outcome {
            case .ok: return .cas(expected, new)
            case .fail: return semantics.failedCASObserves ? .casMismatch(expected) : nil
            case .unknown: return .casMaybe(expected, new)
            }
        default:
            let known = semantics.allowsCAS ? "read, write and cas" : "read and write"
            throw call.error("model \(semantics.name) has no operation '\(call.f)' (it knows \(known))")
        }
    }

    @inline(__always)
    mutating func apply(_ step: Step, to state: Int64) -> Int64? {
        switch step {
        case .read(let v): state == v ? state : nil
        case .write(let v): v
        case .cas(let expected, let new): state == expected ? new : nil
        case .casMismatch(let expected): state != expected ? state : nil
        case .casMaybe(let expected, let new): state == expected ? new : state
        }
    }

    func isReadOnly(_ step: Step) -> Bool {
        switch step {
        case .read, .casMismatch: true
        default: false
        }
    }

    func describe(_ state: Int64) -> String { state == Self.absent ? "absent" : values.text(state) }
}
