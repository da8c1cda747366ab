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
