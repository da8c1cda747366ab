import Testing
@testable import ChaosPlan

@Suite struct ScheduleTests {
    static func quickstart() throws -> Plan { try PlanLoader.load(path: Fixtures.quickstartPath) }

    @Test func sameSeedGivesSameSchedule() throws {
        let plan = try Self.quickstart()
        for seed: UInt64 in [0, 1, 42, .max] {
            #expect(Schedule.expand(plan, seed: seed) == Schedule.expand(plan, seed: seed))
        }
    }

    @Test func differentSeedsGiveDifferentSchedules() throws {
        let plan = try Self.quickstart()
        let schedules = Set((0..<50).map { Schedule.expand(plan, seed: UInt64($0)).map(\.fault) })
        // Two draws from three faults: nine possible sequences, and 50 seeds should find most of them.
        #expect(schedules.count >= 6)
        #expect(Schedule.expand(plan, seed: 1).map(\.fault) != Schedule.expand(plan, seed: 2).map(\.fault)
                || Schedule.expand(plan, seed: 1).map(\.fault) != Schedule.expand(plan, seed: 3).map(\.fault))
    }

    @Test func quickstartExpandsInTimeOrderWithDenseIDs() throws {
        let schedule = Schedule.expand(try Self.quickstart(), seed: 42)
        #expect(schedule.map(\.at) == [.seconds(8), .seconds(16), .seconds(20), .seconds(26)])
        #expect(schedule.map(\.id) == [0, 1, 2, 3])
        #expect(schedule.map(\.step) == [0, 1, 2, 2])
        #expect(schedule[0].fault == .kill && schedule[0].target == .leader && schedule[0].duration == .seconds(4))
        #expect(schedule[1].fault == .pause && schedule[1].target == .follower)
        #expect(schedule[2...].allSatisfy { [.kill, .stop, .pause].contains($0.fault) && $0.target == .random })
    }

    @Test(arguments: [
        // (every, from, until, duration) -> expected times in seconds
        (5, 0, nil, 20, [0, 5, 10, 15]), (5, 3, nil, 20, [3, 8, 13, 18]), (5, 0, 12, 20, [0, 5, 10]),
        (7, 10, 17, 20, [10]), (30, 0, nil, 20, [0]),
    ] as [(Int, Int, Int?, Int, [Int])])
    func everyStepsRepeatUntilTheEnd(every: Int, from: Int, until: Int?, duration: Int, expected: [Int]) {
        let step = NemesisStep(timing: .every(.seconds(every), from: .seconds(from), until: until.map { .seconds($0) }),
                               faults: [.kill], target: .random, duration: .seconds(1))
        let plan = Plan(name: "p", duration: .seconds(duration), cluster: ClusterSpec(), workload: WorkloadSpec(),
                        nemesis: [step])
        #expect(Schedule.expand(plan, seed: 7).map(\.at) == expected.map { .seconds($0) })
    }

    @Test func drawsEveryChoiceOverManyOccurrences() {
        let step = NemesisStep(timing: .every(.milliseconds(100), from: .zero, until: nil),
                               faults: [.kill, .stop, .pause], target: .random, duration: nil)
        let plan = Plan(name: "p", duration: .seconds(30), cluster: ClusterSpec(), workload: WorkloadSpec(),
                        nemesis: [step])
        let counts = Dictionary(grouping: Schedule.expand(plan, seed: 9), by: \.fault).mapValues(\.count)
        // 300 draws over three faults: each near 100; 60 is far outside chance for a fair generator.
        #expect([Fault.kill, .stop, .pause].allSatisfy { (counts[$0] ?? 0) > 60 })
    }

    @Test func simultaneousStepsKeepPlanOrder() {
        let steps = [
            NemesisStep(timing: .at(.seconds(5)), faults: [.pause], target: .leader, duration: nil),
            NemesisStep(timing: .every(.seconds(5), from: .zero, until: nil), faults: [.stop], target: .all,
                        duration: nil),
        ]
        let plan = Plan(name: "p", duration: .seconds(10), cluster: ClusterSpec(), workload: WorkloadSpec(),
                        nemesis: steps)
        let schedule = Schedule.expand(plan, seed: 1)
        #expect(schedule.map(\.step) == [1, 0, 1])
        #expect(schedule.map(\.id) == [0, 1, 2])
    }

    @Test func generatorIsReproducibleAndSpreadsSeeds() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var zero = SeededGenerator(seed: 0)
        #expect((0..<4).map { _ in zero.next() }.allSatisfy { $0 != 0 })
        // A fixed value guards against accidental changes to the algorithm: recorded seeds must replay.
        var fixed = SeededGenerator(seed: 1)
        #expect(fixed.next() == SeededGeneratorReference.firstOutputForSeed1)
    }
}

/// xoshiro256** seeded by SplitMix64(1), computed independently from the reference algorithms.
enum SeededGeneratorReference {
    static let firstOutputForSeed1: UInt64 = 12_966_619_160_104_079_557
}
