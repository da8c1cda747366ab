import Foundation
import Testing
@testable import ChaosPlan

/// A custom adapter's `log:` may say what each entry holds (`op`, `key`, `value`, `expected`), so chaos can
/// follow the committed log; the three required fields come together or not at all.
@Suite struct AdapterLogContentsTests {
    static func adapter(_ extra: String) throws -> String {
        let shipped = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("adapters/raft-node.yaml"),
                                 encoding: .utf8)
        // The log section is the file's last; its `commit:` line is the last one (status has one too).
        let last = try #require(shipped.range(of: "  commit: commitIndex", options: .backwards))
        return shipped.replacingCharacters(in: last, with: "  commit: commitIndex\n" + extra)
    }

    @Test func theMappedFieldsAreRead() throws {
        let yaml = try Self.adapter("  op: op\n  key: key\n  value: value\n  expected: expected\n")
        let (plan, diagnostics) = try MalformedAdapterTests.load(adapter: yaml)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let contents = try #require(plan?.cluster.adapter?.log?.contents)
        #expect(contents.op.description == "op" && contents.value.description == "value")
        #expect(contents.expected?.description == "expected")
    }

    @Test func withoutThemTheLogServesDigestsOnly() throws {
        let (plan, _) = try MalformedAdapterTests.load(adapter: try Self.adapter(""))
        #expect(plan?.cluster.adapter?.log != nil)
        #expect(plan?.cluster.adapter?.log?.contents == nil)
    }

    @Test func aPartialMappingIsALocatedError() throws {
        let found = try MalformedAdapterTests.diagnose(adapter: try Self.adapter("  op: op\n  key: key\n"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("adapters/x.yaml:") == true)
        #expect(found.first?.contains("missing required key 'value'") == true, "\(found)")
    }
}
