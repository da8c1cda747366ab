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

extension RegisterModel {
    /// Tokens for `ZoneCheck` when every written value is unique and differs from the initial one: a read
    /// observes its value, a write creates its value, a CAS that happened observes its expected value and creates
    /// its new one. An indeterminate write or CAS counts only when a step that happened observed its value (it is
    /// the one step that could produce it, so it happened too); a CAS that saw a mismatch changes nothing and is
    /// left out.
    func tokens(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [TokenUse]? {
        var creator: [Int64: Int] = [:]
        for (i, step) in steps.enumerated() {
            switch step {
            case .write(let v):
                guard v != initialState, creator.updateValue(i, forKey: v) == nil else { return nil }
            case .cas(let expected, let new), .casMaybe(let expected, let new):
                guard expected != new, new != initialState, creator.updateValue(i, forKey: new) == nil else { return nil }
            case .read, .casMismatch: break
            }
        }
        // What happened: every determinate step, and (transitively) the creator of a value a step that happened
        // observed.
        var happened = outcomes.map { $0 != .unknown }
        var pending: [Int64] = []
        for (i, step) in steps.enumerated() where happened[i] {
            switch step {
            case .read(let v), .cas(let v, _), .casMaybe(let v, _): pending.append(v)
            case .write, .casMismatch: break
            }
        }
        while let v = pending.popLast() {
            guard let c = creator[v], !happened[c] else { continue }
            happened[c] = true
            if case .casMaybe(let expected, _) = steps[c] { pending.append(expected) }
        }
        return steps.indices.map { i in
            guard happened[i] else { return .none }
            switch steps[i] {
            case .read(let v): return TokenUse(observes: v, creates: nil)
            case .write(let v): return TokenUse(observes: nil, creates: v)
            case .cas(let expected, let new), .casMaybe(let expected, let new):
                return TokenUse(observes: expected, creates: new)
            case .casMismatch: return .none
            }
        }
    }
}
