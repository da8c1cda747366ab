import Testing
@testable import ChaosPlan

/// A plan with mistakes and the exact diagnostics it must produce, in file order.
struct MalformedPlan: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    /// Each `LINE:COL: message`; the test adds the file name.
    var expected: [String]

    init(_ name: String, _ yaml: String, _ expected: [String]) {
        self.name = name
        self.yaml = yaml
        self.expected = expected
    }

    var testDescription: String { name }
}

/// Every way a plan is commonly wrong gets its own exact, located message, and a plan with several problems
/// reports them all at once.
@Suite struct MalformedPlanTests {
    static let file = "plans/bad.yaml"

    @Test(arguments: cases)
    func reportsExactDiagnostics(_ plan: MalformedPlan) {
        #expect(throws: PlanError.self) { try PlanLoader.parse(plan.yaml, file: Self.file) }
        let (parsed, diagnostics) = PlanLoader.diagnose(plan.yaml, file: Self.file)
        #expect(parsed == nil)
        #expect(diagnostics.map(\.description) == plan.expected.map { "\(Self.file):\($0)" })
    }

    @Test func tableIsLargeEnough() {
        #expect(Self.cases.count >= 25)
        #expect(Self.cases.contains { $0.expected.count >= 3 })
    }

    @Test func errorDescriptionHasOneLinePerProblem() throws {
        let plan = try #require(Self.cases.first { $0.name == "many problems" })
        let error = #expect(throws: PlanError.self) { try PlanLoader.parse(plan.yaml, file: Self.file) }
        let lines = error?.description.split(separator: "\n").map(String.init)
        #expect(lines == plan.expected.map { "\(Self.file):\($0)" })
    }

    static let cases = documentCases + sectionCases
}
