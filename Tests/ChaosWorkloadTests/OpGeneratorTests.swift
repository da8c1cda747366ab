import ChaosHistory
import ChaosPlan
import Testing
@testable import ChaosWorkload

/// The generator's promises: unique written values (every read traces to one write), keys within the plan's
/// range, the mix each workload kind documents, and CAS operations that compare against what was last seen.
@Suite struct OpGeneratorTests {
    /// A small deterministic generator, so a failing draw can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func draw(_ kind: WorkloadSpec.Kind, keys: Int = 4, count: Int = 4000, seed: UInt64 = 1) -> [PlannedOp] {
        let generator = OpGenerator(kind: kind, keys: keys, values: ValueSource())
        var rng = Seeded(state: seed)
        return (0..<count).map { _ in generator.next(using: &rng) }
    }

    static func written(_ op: PlannedOp) -> [Int64] {
        switch op.action {
        case .write(_, let value): [value]
        case .cas(_, _, let to): [to]
        case .read, .append: []
        }
    }

    @Test(arguments: [WorkloadSpec.Kind.register, .casRegister])
    func writtenValuesAreUniqueAndKeysInRange(kind: WorkloadSpec.Kind) {
        let ops = Self.draw(kind)
        let values = ops.flatMap(Self.written)
        #expect(Set(values).count == values.count)
        let keys = Set(ops.compactMap(\.key))
        #expect(keys.isSubset(of: Set((0..<4).map { Value.string("k\($0)") })))
        #expect(keys.count == 4, "4000 draws over 4 keys reach every key")
    }

    @Test func registerMixIsHalfReads() {
        let reads = Self.draw(.register).filter { $0.f == "read" }.count
        #expect((1700...2300).contains(reads), "\(reads) reads of 4000")
    }

    @Test func casRegisterMix() {
        let ops = Self.draw(.casRegister)
        let counts = Dictionary(grouping: ops, by: \.f).mapValues(\.count)
        #expect((1700...2300).contains(counts["read"] ?? 0))
        #expect((600...1000).contains(counts["write"] ?? 0))
        #expect((1000...1400).contains(counts["cas"] ?? 0))
    }

    @Test func casComparesAgainstTheLastValueSeen() {
        let values = ValueSource()
        let generator = OpGenerator(kind: .casRegister, keys: 1, values: values)
        values.observe("k0", 41)
        var rng = Seeded(state: 9)
        let cas = (0..<200).map { _ in generator.next(using: &rng) }.compactMap { op -> Int64? in
            if case .cas(_, let from, _) = op.action { return from }
            return nil
        }
        #expect(!cas.isEmpty)
        #expect(cas.allSatisfy { $0 == 41 })
    }

    @Test func sameSeedSameActions() {
        let a = Self.draw(.casRegister, seed: 7).map(\.f)
        let b = Self.draw(.casRegister, seed: 7).map(\.f)
        let c = Self.draw(.casRegister, seed: 8).map(\.f)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func appendEntriesAreUnique() {
        let entries = Self.draw(.append, count: 500).compactMap { op -> String? in
            if case .append(let entry) = op.action { return entry }
            return nil
        }
        #expect(entries.count == 500)
        #expect(Set(entries).count == 500)
    }

    @Test func invocationValues() {
        #expect(PlannedOp(action: .read(key: "k1")).invokeValue == .null)
        #expect(PlannedOp(action: .write(key: "k1", value: 3)).invokeValue == .int(3))
        #expect(PlannedOp(action: .cas(key: "k1", from: 1, to: 2)).invokeValue == .vector([.int(1), .int(2)]))
        #expect(PlannedOp(action: .append(entry: "e1")).key == nil)
    }
}

/// `ValueSource` is shared by every client task: values stay unique when real threads draw at once.
@Suite struct ValueSourceTests {
    @Test func freshValuesAreUniqueUnderConcurrency() async {
        let source = ValueSource()
        let drawn = await withTaskGroup(of: [Int64].self) { group in
            for _ in 0..<8 { group.addTask { (0..<5000).map { _ in source.fresh() } } }
            var all: [Int64] = []
            for await part in group { all += part }
            return all
        }
        #expect(drawn.count == 40_000)
        #expect(Set(drawn).count == 40_000)
    }

    @Test func lastSeenFollowsObservations() {
        let source = ValueSource()
        #expect(source.lastSeen("k") == nil)
        source.observe("k", 5)
        source.observe("k", nil)
        #expect(source.lastSeen("k") == 5, "a nil read does not forget the last value")
        source.observe("k", 6)
        #expect(source.lastSeen("k") == 6)
    }
}
