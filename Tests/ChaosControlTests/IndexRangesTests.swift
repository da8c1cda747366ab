import Testing

@testable import ChaosControl

/// The log follower's record of what it read: ranges that agree with a plain set on random inserts, in order
/// and out of it, and holes that are exactly what the set lacks.
@Suite("index ranges")
struct IndexRangesTests {
    @Test("random inserts: the holes are what a set of the same indexes lacks, the ranges disjoint and in order")
    func againstASet() {
        var seed: UInt64 = 9
        func random(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for round in 0..<200 {
            var ranges = IndexRanges()
            var set = Set<Int64>()
            var next: Int64 = 1
            for _ in 0..<(10 + random(200)) {
                // Mostly in order with gaps (a follower), sometimes an old index (a replica catching up).
                let index: Int64 = random(4) == 0 ? Int64(1 + random(Int(next))) : next + Int64(random(3))
                next = max(next, index + 1)
                ranges.insert(index)
                set.insert(index)
            }
            let top = next + 2
            var expected: [ClosedRange<Int64>] = []
            var start: Int64?
            for i in Int64(1)...top {
                if !set.contains(i), start == nil { start = i }
                if set.contains(i), let s = start { expected.append(s...(i - 1)); start = nil }
            }
            if let s = start { expected.append(s...top) }
            #expect(ranges.holes(from: 1, through: top) == expected, "round \(round)")
            for (a, b) in zip(ranges.ranges, ranges.ranges.dropFirst()) {
                #expect(a.upperBound + 1 < b.lowerBound, "round \(round): \(a) and \(b) touch or overlap")
            }
            #expect(ranges.ranges.reduce(0) { $0 + $1.count } == set.count)
        }
    }

    @Test("nothing read: no holes before the first index; one read: the stretch before it")
    func edges() {
        var ranges = IndexRanges()
        #expect(ranges.holes(from: 5, through: 4).isEmpty)
        ranges.insert(7)
        #expect(ranges.holes(from: 1, through: 7) == [1...6])
        #expect(ranges.holes(from: 7, through: 7).isEmpty)
    }
}
