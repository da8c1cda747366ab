import Foundation
import Testing
@testable import ChaosPlan

/// `docs/plan-format.md` shows real input and output; these tests keep its examples true.
@Suite struct PlanFormatDocTests {
    static var blocks: [(language: String, text: String)] {
        let path = Fixtures.packageRoot.appendingPathComponent("docs/plan-format.md").path
        let doc = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var result: [(String, String)] = []
        var current: (String, [Substring])?
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let block = current {
                    result.append((block.0, block.1.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)), [])
                }
            } else {
                current?.1.append(line)
            }
        }
        return result
    }

    @Test func quickstartBlockIsTheQuickstartPlan() throws {
        let yaml = try #require(Self.blocks.first { $0.language == "yaml" })
        let documented = try PlanLoader.parse(yaml.text, file: "doc")
        #expect(documented == (try PlanLoader.load(path: Fixtures.quickstartPath)))
    }

    @Test func errorExampleIsWhatTheLoaderReports() throws {
        let yamlBlocks = Self.blocks.filter { $0.language == "yaml" }
        let input = try #require(yamlBlocks.last)
        let output = try #require(Self.blocks.first { $0.language == "text" })
        let error = #expect(throws: PlanError.self) { try PlanLoader.parse(input.text, file: "plans/x.yaml") }
        #expect(error.map { $0.description + "\n" } == output.text)
    }
}
