import Foundation

extension KVModel {
    /// An indeterminate `put` or `append` whose value appears in no `get` result can be left out: wherever a
    /// linearization places it, every state until the next `put` contains its value, so no `get` sits there,
    /// and leaving it out changes only states nobody read (the argument of `RegisterModel.unobservable`).
    func unobservable(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [Bool] {
        var none = Array(repeating: false, count: steps.count)
        guard outcomes.contains(.unknown) else { return none }
        // Every distinct `get` result, each followed by a NUL so a value cannot match across two of them.
        var seen = Set<Int64>()
        var haystack: [UInt8] = []
        for step in steps {
            guard case .get(let v) = step, seen.insert(v).inserted else { continue }
            let text = string(v).utf8
            if text.contains(0) { return none }
            haystack.append(contentsOf: text)
            haystack.append(0)
        }
        for (i, step) in steps.enumerated() where outcomes[i] == .unknown {
            let v: Int64
            switch step {
            case .put(let value), .append(let value): v = value
            case .get: continue
            }
            let needle = Array(string(v).utf8)
            if needle.isEmpty || needle.contains(0) { continue }
            if !Self.contains(haystack, needle) { none[i] = true }
        }
        return none
    }

    /// Whether `needle` occurs in `haystack`: `memchr` to the next first byte, then `memcmp`.
    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                guard let base = h.baseAddress, let first = n.first else { return false }
                var offset = 0
                while offset + n.count <= h.count {
                    guard let hit = memchr(base + offset, Int32(first), h.count - offset - n.count + 1) else {
                        return false
                    }
                    if memcmp(hit, n.baseAddress!, n.count) == 0 { return true }
                    offset = base.distance(to: UnsafeRawPointer(hit)) + 1
                }
                return false
            }
        }
    }
}

extension KVModel {
    /// Tokens for `ZoneCheck` when each state a `get` returned can come from one step only: a `put` of exactly
    /// it, or the one `append` whose suffix ends it (appended values are unique, so the string after an append is
    /// new). A `get` of a state no step can produce observes a state nothing creates (the check's proof). Nil
    /// when values repeat, a suffix is ambiguous, or a `put` recreates the initial `""`.
    func tokens(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [TokenUse]? {
        var puts: [Int64: Int] = [:]
        var appends: [Substring: Int] = [:]
        var lengths = Set<Int>()
        for (i, step) in steps.enumerated() {
            switch step {
            case .put(let v): if puts.updateValue(i, forKey: v) != nil { return nil }
            case .append(let v) where v != initialState:
                let text = string(v)
                if appends.updateValue(i, forKey: Substring(text)) != nil { return nil }
                lengths.insert(text.utf8.count)
            case .append, .get: break
            }
        }
        // Suffixes are looked up by length, one lookup per distinct length; too many lengths: not worth it.
        guard puts[initialState] == nil, lengths.count <= 64 else { return nil }
        let sortedLengths = lengths.sorted()
        var creates: [Int: Int64] = [:]  // step → the observed state it alone produces
        var observed: Set<Int64> = [initialState]
        for step in steps {
            guard case .get(let v) = step, observed.insert(v).inserted else { continue }
            let text = string(v)
            let utf8 = text.utf8
            var found = puts[v].map { [$0] } ?? []
            for length in sortedLengths {
                guard length <= utf8.count else { break }
                let suffix = text[utf8.index(utf8.endIndex, offsetBy: -length)...]
                if let a = appends[suffix] { found.append(a) }
            }
            guard found.count <= 1 else { return nil }
            if let creator = found.first, creates.updateValue(v, forKey: creator) != nil { return nil }
        }
        var fresh = Int64.min  // states nobody read: distinct from every interned id
        var out: [TokenUse] = []
        out.reserveCapacity(steps.count)
        for (i, step) in steps.enumerated() {
            let definite = outcomes[i] != .unknown
            switch step {
            case .get(let v): out.append(TokenUse(observes: v, creates: nil))
            case .put(let v):
                out.append(definite || observed.contains(v) ? TokenUse(observes: nil, creates: v) : .none)
            case .append(let v) where v != initialState:
                if let state = creates[i] {
                    out.append(TokenUse(observes: nil, creates: state))
                } else if definite {
                    out.append(TokenUse(observes: nil, creates: fresh))
                    fresh += 1
                } else {
                    out.append(.none)
                }
            case .append: out.append(.none)  // appending "" changes nothing
            }
        }
        return out
    }
}
