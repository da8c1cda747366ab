import Foundation
import Testing
@testable import ChaosPlan

/// Bad adapter definitions get the plan's located diagnostics (file, line, column, what to do), several at once,
/// with suggestions for misspelt keys and placeholders; a plan with such an adapter does not load (exit 3).
@Suite struct MalformedAdapterTests {
    static let status = "status: { path: /status, commit: c, applied: a, role: r }\n"
    static let read = "client:\n  read: { path: \"/kv/{key}\", value: value }\n"

    /// Writes `plans/p.yaml` (naming `../adapters/x.yaml`) and the adapter into a fresh directory, and returns
    /// the plan (nil on an error) and the diagnostics with that directory cut from their file names.
    static func load(adapter: String, cluster: String = "system: custom, binary: /bin/true")
        throws -> (Plan?, [String])
    {
        let root = NSTemporaryDirectory() + "chaos-adapter-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/plans", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/adapters", withIntermediateDirectories: true)
        try adapter.write(toFile: "\(root)/adapters/x.yaml", atomically: true, encoding: .utf8)
        let plan = "name: p\nduration: 3s\ncluster: { \(cluster), adapter: ../adapters/x.yaml }\n"
        let (parsed, diagnostics) = PlanLoader.diagnose(plan, file: "\(root)/plans/p.yaml")
        return (parsed, diagnostics.map { $0.description.replacingOccurrences(of: "\(root)/", with: "") })
    }

    static func diagnose(adapter: String, cluster: String = "system: custom, binary: /bin/true")
        throws -> [String]
    {
        let (plan, diagnostics) = try load(adapter: adapter, cluster: cluster)
        #expect(plan == nil)
        return diagnostics
    }

    /// The full example in docs/adapters.md is the shipped adapter (written more compactly).
    @Test func theDocumentedAdapterIsTheShippedOne() throws {
        let doc = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/adapters.md"),
                             encoding: .utf8)
        let blocks = doc.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first { $0.hasPrefix("command:") })
        let shipped = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("adapters/raft-node.yaml"),
                                 encoding: .utf8)
        var documented = try #require(try Self.load(adapter: example).0?.cluster.adapter)
        var reference = try #require(try Self.load(adapter: shipped).0?.cluster.adapter)
        (documented.yaml, reference.yaml) = ("", "")
        #expect(documented == reference)
    }

    @Test(arguments: cases)
    func reportsExactDiagnostics(_ adapter: MalformedPlan) throws {
        let found = try Self.diagnose(adapter: adapter.yaml)
        #expect(found == adapter.expected, "\(found.joined(separator: "\n"))")
    }

    @Test func aMissingAdapterFileIsReportedAtThePlansKey() throws {
        let (plan, diagnostics) = PlanLoader.diagnose(
            "name: p\nduration: 3s\ncluster: { system: custom, binary: /bin/true, adapter: nope.yaml }\n",
            file: "/nonexistent/plans/p.yaml")
        #expect(plan == nil)
        #expect(diagnostics.map(\.description) == [
            "/nonexistent/plans/p.yaml:3:56: cannot read adapter 'nope.yaml' (no such file at "
                + "'/nonexistent/plans/nope.yaml'); the path is relative to the plan file, or give the adapter inline "
                + "as a mapping",
        ])
    }

    @Test func anAdapterNeedsSystemCustom() throws {
        let found = try Self.diagnose(adapter: "command: [x]\n" + Self.read + Self.status,
                                      cluster: "system: raft-node")
        #expect(found == ["plans/p.yaml:3:31: 'adapter' is only for system 'custom'; remove it or set system: custom"])
    }

    @Test func theWorkloadsOperationsMustBeDefinedAndRaftNodeSettingsAreWarnedAbout() throws {
        let found = try Self.diagnose(adapter: "command: [x]\n" + Self.read + Self.status,
                                      cluster: "system: custom, binary: /bin/true, bugs: [x]")
        #expect(found == [
            "plans/p.yaml:3:1: workload 'cas-register' needs the adapter's 'write' and 'cas' operations; add them "
                + "under 'client' in the adapter or choose another workload kind",
            "plans/p.yaml:3:47: warning: 'bugs' is a raft-node setting and does nothing with system 'custom'; pass "
                + "the node's own flags in 'args' or in the adapter's command",
        ])
    }

    @Test func theShippedAdapterAndPlanLoad() throws {
        let path = Fixtures.plansDirectory.appendingPathComponent("custom-raft-node.yaml").path
        let plan = try PlanLoader.load(path: path)
        let adapter = try #require(plan.cluster.adapter)
        #expect(adapter.client.read != nil && adapter.client.cas != nil && adapter.log != nil)
        // The resolved plan carries the adapter inline and reads back to the same plan.
        let again = try PlanLoader.parse(plan.resolvedYAML(seed: 5), file: "runs/x/plan.yaml")
        #expect(PlanLoader.diagnose(plan.resolvedYAML(seed: 5), file: "runs/x/plan.yaml").diagnostics.isEmpty)
        var expected = plan
        expected.seed = 5
        #expect(again == expected)
    }

    /// Each adapter text with its diagnostics as `FILE:LINE:COL: message`, FILE relative to the test directory.
    static let cases: [MalformedPlan] = [
        MalformedPlan(
            "misspelt top-level key",
            "comand: [x]\n" + read + status,
            [
                "adapters/x.yaml:1:1: unknown key 'comand' in 'adapter' (did you mean 'command'?)",
                "adapters/x.yaml:1:1: missing required key 'command'",
            ]),
        MalformedPlan(
            "unknown placeholder in the command",
            "command: [\"{binary}\", \"--id={idd}\", \"{dta_dir}\"]\n" + read + status,
            [
                "adapters/x.yaml:1:29: unknown placeholder '{idd}' (did you mean 'id'?)",
                "adapters/x.yaml:1:38: unknown placeholder '{dta_dir}' (did you mean 'data_dir'?)",
            ]),
        MalformedPlan(
            "peer placeholder outside a repeat",
            "command: [x, \"{peer.ip}\"]\n" + read + status,
            [
                "adapters/x.yaml:1:15: unknown placeholder '{peer.ip}' ({peer.*} placeholders exist only inside "
                    + "each_peer, each_node and join)",
            ]),
        MalformedPlan(
            "repeat and join in one element",
            "command: [x, { each_peer: [a], join: b }]\n" + read + status,
            [
                "adapters/x.yaml:1:14: a mapping in 'command' needs exactly one of 'each_peer', 'each_node' "
                    + "(arguments repeated per node) or 'join' (one argument joined over the nodes)",
            ]),
        MalformedPlan(
            "join with a bad node selection",
            "command: [x, { join: \"{peer.id}\", nodes: others }]\n" + read + status,
            [
                "adapters/x.yaml:1:42: 'nodes' must be 'all' or 'peers', got 'others'",
            ]),
        MalformedPlan(
            "empty command",
            "command: []\n" + read + status,
            [
                "adapters/x.yaml:1:10: 'command' must be a non-empty list: the program (usually \"{binary}\") and "
                    + "its arguments, got a list",
            ]),
        MalformedPlan(
            "unknown filter and a write placeholder in a read",
            "command: [x]\nclient:\n  read: { path: \"/kv/{key|base46}/{value}\", value: v }\n" + status,
            [
                "adapters/x.yaml:3:22: unknown filter 'base46' in '{key|base46}' (did you mean 'base64'?)",
                "adapters/x.yaml:3:35: unknown placeholder '{value}' (expected one of: key)",
            ]),
        MalformedPlan(
            "bad status codes and method",
            "command: [x]\nclient:\n  write: { method: PTU, path: /w, ok: [20, 2xx] }\n" + status,
            [
                "adapters/x.yaml:3:20: unknown HTTP method 'PTU' (did you mean 'PUT'?)",
                "adapters/x.yaml:3:40: each entry of 'ok' must be an HTTP status such as 200 or a class such as 4xx"
                    + ", got '20'",
            ]),
        MalformedPlan(
            "cas without its result field, path without a slash",
            "command: [x]\nclient:\n  cas: { path: kv }\n" + status,
            [
                "adapters/x.yaml:3:8: missing required key 'succeeded'",
                "adapters/x.yaml:3:16: 'path' must start with '/', got 'kv'",
            ]),
        MalformedPlan(
            "match with a field but no value",
            "command: [x]\nclient:\n  not_leader: [{ status: 421, field: leader }]\n"
                + "  read: { path: /r, value: v }\n" + status,
            [
                "adapters/x.yaml:3:31: 'field' needs 'equals' (the value that makes the answer match)",
            ]),
        MalformedPlan(
            "status without a way to find the leader",
            "command: [x]\n" + read + "status: { path: /s, commit: c, aplied: a }\n",
            [
                "adapters/x.yaml:4:9: missing required key 'applied'",
                "adapters/x.yaml:4:9: 'status' needs 'role' or 'leader' (chaos finds the leader from them)",
                "adapters/x.yaml:4:32: unknown key 'aplied' in 'status' (did you mean 'applied'?)",
            ]),
        MalformedPlan(
            "log that cannot be paged",
            "command: [x]\n" + read + status
                + "log: { path: /log, entries: e, index: i, term: t, digest: d, comit: c }\n",
            [
                "adapters/x.yaml:5:14: the log request must use '{from}' (and '{to}') so chaos can page through "
                    + "the log",
                "adapters/x.yaml:5:62: unknown key 'comit' in 'log' (did you mean 'commit'?)",
            ]),
        MalformedPlan(
            "bad field path and decoding",
            "command: [x]\nclient:\n  read: { path: /r, value: { path: \"kvs..value\", decode: base46 } }\n"
                + status,
            [
                "adapters/x.yaml:3:36: a JSON field path is names and list indexes joined by '.', like "
                    + "'kvs.0.value', got 'kvs..value'",
                "adapters/x.yaml:3:58: unknown decoding 'base46' (did you mean 'base64'?)",
            ]),
        MalformedPlan(
            "no operations",
            "command: [x]\nclient: { not_leader: [421] }\n" + status,
            [
                "adapters/x.yaml:2:9: 'client' needs at least one operation (read, write, cas, append)",
            ]),
        MalformedPlan(
            "invalid YAML",
            "command: [x\n" + read + status,
            [
                "adapters/x.yaml:2:7: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
                    + "at line 1)",
            ]),
        MalformedPlan(
            "many problems at once",
            "command: [\"{binry}\"]\nclient:\n  reed: { path: /r }\nstatus: { path: /s }\n",
            [
                "adapters/x.yaml:1:12: unknown placeholder '{binry}' (did you mean 'binary'?)",
                "adapters/x.yaml:3:3: unknown key 'reed' in 'client' (did you mean 'read'?)",
                "adapters/x.yaml:3:3: 'client' needs at least one operation (read, write, cas, append)",
                "adapters/x.yaml:4:9: missing required key 'commit'",
                "adapters/x.yaml:4:9: missing required key 'applied'",
                "adapters/x.yaml:4:9: 'status' needs 'role' or 'leader' (chaos finds the leader from them)",
            ]),
    ]
}
