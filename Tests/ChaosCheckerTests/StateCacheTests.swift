import Testing

@testable import ChaosChecker

/// The search's cache keeps each configuration exactly, at the cost of what is concurrent rather than the whole
/// bitset of a long partition.
@Suite("state cache")
struct StateCacheTests {
    /// A bitset of `words` words: all ones below `prefix`, then `window` (one word), zeros after.
    static func key(words: Int, prefix: Int, window: UInt64) -> [UInt64] {
        (0..<words).map { $0 < prefix ? ~0 : $0 == prefix ? window : 0 }
    }

    @Test("40,000-call configurations that differ near their frontier: each kept once, in a few bytes")
    func compact() {
        let words = 625  // 40,000 calls
        var cache = StateCache(words: words)
        let budget = SearchBudget(timeLimit: .seconds(60), memoryLimit: Int.max)
        var added = 0
        for prefix in 0..<words {
            for window: UInt64 in [0, 1, 3, 0x8000_0000_0000_0001] {
                var key = Self.key(words: words, prefix: prefix, window: window)
                let hash = StateCache.mix(UInt64(prefix) << 8 ^ window)
                if case .added = cache.insert(&key, hash: hash, state: 7, budget: budget, size: 40_000) { added += 1 }
                // The same configuration again is found; another state of it is not.
                if case .present = cache.insert(&key, hash: hash, state: 7, budget: budget, size: 40_000) {} else {
                    Issue.record("configuration \(prefix)/\(window) not found again")
                }
                if case .added = cache.insert(&key, hash: hash, state: 8, budget: budget, size: 40_000) {} else {
                    Issue.record("state 8 of \(prefix)/\(window) taken for state 7")
                }
            }
        }
        #expect(added == words * 4)
        #expect(cache.count == 2 * words * 4)
        // Whole bitsets would be 5,000 bytes an entry (25 MB here); the table holds well under 1 MB.
        #expect(cache.bytes < 1 << 20, "\(cache.bytes) bytes")
    }

    @Test("keys equal in their kept words but not in where those start are different configurations")
    func position() {
        var cache = StateCache(words: 4)
        let budget = SearchBudget(timeLimit: .seconds(60), memoryLimit: Int.max)
        let a: [UInt64] = [~0, 5, 0, 0]  // kept: word 1 = 5
        let b: [UInt64] = [~0, ~0, 5, 0]  // kept: word 2 = 5
        let c: [UInt64] = [~0, ~0, ~0, ~0]  // nothing kept, from word 4
        let d: [UInt64] = [0, 0, 0, 0]  // nothing kept, from word 0
        for key in [a, b, c, d] {
            var key = key
            if case .added = cache.insert(&key, hash: 1, state: 0, budget: budget, size: 256) {} else {
                Issue.record("\(key) taken for an earlier key with the same hash")
            }
        }
        #expect(cache.count == 4)
    }
}
