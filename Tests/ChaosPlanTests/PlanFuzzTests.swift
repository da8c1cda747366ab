import Foundation
import Testing
@testable import ChaosPlan

/// Thousands of damaged plans: the loader must never crash or hang, must locate every problem it reports, and
/// whatever it accepts must survive the trip through `resolvedYAML`.
@Suite(.timeLimit(.minutes(2))) struct PlanFuzzTests {
    /// `CHAOS_FUZZ_ITERATIONS` and `CHAOS_FUZZ_SEED` widen a local search; CI uses the fixed defaults.
    static let iterations = environment("CHAOS_FUZZ_ITERATIONS") ?? 2_000
    static let seed = UInt64(environment("CHAOS_FUZZ_SEED") ?? 20_261_121)

    static func environment(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }

    @Test func mutatedPlansAreRejectedWithLocationsOrAcceptedConsistently() throws {
        let sources = try Fixtures.examplePlanPaths.map { try String(contentsOfFile: $0, encoding: .utf8) }
        try #require(!sources.isEmpty)
        var random = SeededGenerator(seed: Self.seed)
        var rejected = 0, accepted = 0
        for iteration in 0..<Self.iterations {
            var mutator = PlanMutator(text: sources[iteration % sources.count])
            for _ in 0..<Int.random(in: 1...3, using: &random) { mutator.mutate(using: &random) }
            let file = "fuzz/\(iteration).yaml"
            let (plan, diagnostics) = PlanLoader.diagnose(mutator.text, file: file)
            let lineCount = mutator.text.split(separator: "\n", omittingEmptySubsequences: false).count
            for diagnostic in diagnostics {
                #expect(diagnostic.location.file == file)
                #expect(diagnostic.location.line >= 1 && diagnostic.location.line <= lineCount + 1,
                        "\(diagnostic)\n\(mutator.text)")
                #expect(diagnostic.location.column >= 1, "\(diagnostic)\n\(mutator.text)")
                #expect(!diagnostic.message.isEmpty && !diagnostic.message.hasSuffix("."))
            }
            if let plan {
                accepted += 1
                ResolvedYAMLTests.expectRoundTripQuietly(plan, text: mutator.text)
            } else {
                rejected += 1
                #expect(diagnostics.contains { $0.severity == .error }, "\(mutator.text)")
                let error = #expect(throws: PlanError.self) { try PlanLoader.parse(mutator.text, file: file) }
                #expect(error?.diagnostics == diagnostics)
            }
        }
        // Both outcomes must be common, or the mutations are not exercising the loader.
        #expect(rejected >= Self.iterations / 4)
        #expect(accepted >= Self.iterations / 20)
    }
}

extension ResolvedYAMLTests {
    /// Round trip of a fuzzed plan, with the source text in the failure message.
    static func expectRoundTripQuietly(_ plan: Plan, text source: String) {
        let seed = plan.seed ?? 1
        let resolved = plan.resolvedYAML(seed: seed)
        var expected = plan
        expected.seed = seed
        let reloaded = try? PlanLoader.parse(resolved, file: "plan.yaml")
        #expect(reloaded == expected, "source:\n\(source)\nresolved:\n\(resolved)")
    }
}

/// Damages plan text the way editing accidents and bad merges do.
struct PlanMutator {
    var text: String

    private static let junkCharacters: [Character] = Array(":{}[],-#&*!|>'\"%@` \t\n0123456789abcxyz~?\u{1}é")
    private static let junkValues = [
        "-1", "0", "abc", "1e9", "99999999999999999999s", "[]", "{}", "~", "n7", "n0", "partition", "0s", "-5s",
        "1.5", "100%", "500/s", "unlimited", "leader", "kill", "[kill, pause]", "\"quoted\"", "'single'", "*alias",
        "&anchor x", "!!str 3", "3s", "1h", "yes", "null", "{ at: 1s }", "- item", "9", "10", "custom", "etcd",
    ]
    private static let junkKeys = PlanDecoder.planKeys + PlanDecoder.clusterKeys + PlanDecoder.workloadKeys
        + PlanDecoder.stepKeys + PlanDecoder.checkerNames + ["nodez", "fualt", "x", "", "- at", "? key"]

    mutating func mutate(using random: inout SeededGenerator) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = Int.random(in: 0..<max(lines.count, 1), using: &random)
        guard !lines.isEmpty else {
            text = "name: x\n"
            return
        }
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            lines.remove(at: index)
        case 1:
            lines.insert(lines[index], at: index)
        case 2:
            lines.swapAt(index, Int.random(in: 0..<lines.count, using: &random))
        case 3:
            var characters = Array(lines[index])
            let replacement = Self.junkCharacters.randomElement(using: &random)!
            if characters.isEmpty { characters = [replacement] } else {
                characters[Int.random(in: 0..<characters.count, using: &random)] = replacement
            }
            lines[index] = String(characters)
        case 4:
            let indent = String(repeating: " ", count: [0, 2, 4, 6].randomElement(using: &random)!)
            let key = Self.junkKeys.randomElement(using: &random)!
            lines.insert("\(indent)\(key): \(Self.junkValues.randomElement(using: &random)!)", at: index)
        case 5:
            // Replace a value after a colon, keeping the line's shape.
            let line = lines[index]
            if let colon = line.firstIndex(of: ":") {
                let rest = line[line.index(after: colon)...]
                let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? line.endIndex
                lines[index] = line[...colon] + " " + Self.junkValues.randomElement(using: &random)! + line[end...]
            }
        default:
            let joined = lines.joined(separator: "\n")
            text = String(joined.prefix(Int.random(in: 0...joined.count, using: &random)))
            return
        }
        text = lines.joined(separator: "\n")
    }
}
