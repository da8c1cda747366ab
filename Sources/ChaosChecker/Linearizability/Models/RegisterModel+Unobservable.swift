extension RegisterModel {
    /// An indeterminate write or CAS whose new value no call observes (no read returns it, no CAS expects it)
    /// can be left out. Suppose a linearization places it somewhere: until the next write, a read would see its
    /// value (there is none), an ok CAS would need to expect it (there is none), and an indeterminate CAS is a
    /// no-op, which may as well move to the end too. So dropping it, and moving those no-ops last, leaves a
    /// linearization; and one without it extends to one with it placed last. Not for etcd semantics, where a
    /// failed CAS observes that the value differed (leaving a write out could make it match).
    func unobservable(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [Bool] {
        var none = Array(repeating: false, count: steps.count)
        var observed = Set<Int64>()
        for step in steps {
            switch step {
            case .read(let v): observed.insert(v)
            case .cas(let expected, _), .casMaybe(let expected, _): observed.insert(expected)
            case .casMismatch: return none
            case .write: break
            }
        }
        for (i, step) in steps.enumerated() where outcomes[i] == .unknown {
            switch step {
            case .write(let v) where !observed.contains(v): none[i] = true
            case .casMaybe(_, let new) where !observed.contains(new): none[i] = true
            default: break
            }
        }
        return none
    }
}
