import Foundation
import Testing
@testable import ChaosPlan

/// A custom adapter's `membership` section, spare nodes (`members` below `nodes`) and `change: grow`: what
/// decodes, and the located errors for plans that could only fail at run time otherwise.
@Suite struct MembershipAdapterPlanTests {
    static let base = """
        command: ["{binary}", "{id}"]
        client:
          read: { path: "/kv/{key}", value: value }
          write: { path: "/kv/{key}", body: "{value}" }
        status: { path: /status, commit: c, applied: a, role: r }

        """
    static let section = """
        membership:
          list: { path: /admin/members, members: members, id: id, voter: voter, committed: committed }
          add: { path: /admin/members, body: '{"id": {id|json}, "raft": "{ip}:{peer_port}"}', refused: [400, 409] }
          remove: { path: "/admin/members/{id|url}" }
          join: [--join, "--peers={peers}"]
          add_before_start: true

        """

    /// Writes the plan and the adapter into a fresh directory; the diagnostics with that directory cut.
    static func load(adapter: String, cluster: String = "nodes: 3", nemesis: String = "")
        throws -> (Plan?, [String]) {
        let root = NSTemporaryDirectory() + "chaos-membership-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/plans", withIntermediateDirectories: true)
        try adapter.write(toFile: "\(root)/plans/x.yaml", atomically: true, encoding: .utf8)
        let plan = "name: p\nduration: 30s\n"
            + "cluster: { system: custom, binary: /bin/true, adapter: x.yaml, \(cluster) }\n"
            + "workload: { kind: register }\n" + (nemesis.isEmpty ? "" : "nemesis:\n\(nemesis)")
        let (parsed, diagnostics) = PlanLoader.diagnose(plan, file: "\(root)/plans/p.yaml")
        return (parsed, diagnostics.map { $0.description.replacingOccurrences(of: "\(root)/", with: "") })
    }

    @Test func theSectionDecodes() throws {
        let (plan, errors) = try Self.load(adapter: Self.base + Self.section,
                                           nemesis: "  - { at: 2s, fault: membership, target: n2, for: 3s }\n")
        #expect(errors.isEmpty, "\(errors)")
        let membership = try #require(plan?.cluster.adapter?.membership)
        #expect(membership.list.members == FieldPath("members"))
        #expect(membership.list.voter?.path == FieldPath("voter"))
        #expect(membership.add.request.method == "POST" && membership.remove.request.method == "DELETE")
        #expect(membership.add.refused.map(\.status.code) == [400, 409])
        #expect(membership.remove.refused.map(\.status.code) == [400])
        #expect(membership.join.count == 2)
        #expect(membership.addBeforeStart && !membership.stopBeforeRemove && !membership.rejoinEmpty)
    }

    @Test func aMembershipFaultWithoutTheSectionIsRefusedAtItsStep() throws {
        let (plan, errors) = try Self.load(adapter: Self.base, nemesis: """
              - { at: 2s, fault: kill, target: n1, for: 1s }
              - { at: 5s, fault: membership, target: follower, for: 3s }

            """)
        #expect(plan == nil)
        #expect(errors == ["plans/p.yaml:7:5: 'membership' needs the adapter's membership API, which it lacks: "
            + "add a 'membership' section with 'list', 'add' and 'remove' requests to the adapter "
            + "(docs/adapters.md, \"membership\")"])
    }

    @Test func sparesWithoutTheSectionAreRefused() throws {
        let (plan, errors) = try Self.load(adapter: Self.base, cluster: "nodes: 5, members: 3")
        #expect(plan == nil)
        #expect(errors.contains { $0.hasPrefix("plans/p.yaml:3:74: spare nodes ('members' below 'nodes') can only "
            + "join through the adapter's membership API") }, "\(errors)")
    }

    @Test(arguments: [
        ("membership:\n  list: { path: /m, members: m, id: id }\n  add: { path: /m }\n",
         "plans/x.yaml:7:3: missing required key 'remove'"),
        ("membership:\n  list: { path: /m, members: m, id: id }\n  add: { path: /m }\n  remove: { path: \"/m/{ip}\" }\n",
         "plans/x.yaml:9:23: unknown placeholder '{ip}'"),
        ("membership:\n  list: { path: /m, members: m }\n  add: { path: /m }\n  remove: { path: \"/m/{id}\" }\n",
         "plans/x.yaml:7:9: missing required key 'id'"),
        ("membership:\n  list: { path: /m, members: m, id: id }\n  add: { path: /m }\n  remove: { path: \"/m/{id}\" }\n"
            + "  add_before_start: sometimes\n", "plans/x.yaml:10:21: 'add_before_start' must be true or false, got 'sometimes'"),
        ("membership:\n  list: { path: /m, members: m, id: id }\n  add: { path: /m }\n  remove: { path: \"/m/{id}\" }\n"
            + "  join: --join\n", "plans/x.yaml:10:9: 'join' must be a list of arguments"),
    ])
    func mistakesInTheSectionAreLocated(_ section: String, _ prefix: String) throws {
        let (plan, errors) = try Self.load(adapter: Self.base + section)
        #expect(plan == nil)
        #expect(errors.contains { $0.hasPrefix(prefix) }, "\(errors)")
    }

    static func raftNode(_ cluster: String, _ step: String) -> (Plan?, [String]) {
        let text = "name: x\nduration: 30s\ncluster: { \(cluster) }\nnemesis:\n  - \(step)\n"
        let (plan, diagnostics) = PlanLoader.diagnose(text, file: "plans/g.yaml")
        return (plan, diagnostics.map(\.description))
    }

    @Test func growDecodesWithSpares() throws {
        let (plan, errors) = Self.raftNode("nodes: 5, members: 3",
                                           "{ at: 2s, fault: membership, change: grow, target: all, for: 5s }")
        #expect(errors.isEmpty, "\(errors)")
        #expect(plan?.cluster.spareIDs == ["n4", "n5"])
        #expect(plan?.nemesis.first?.membership == MembershipSpec(change: .grow))
        #expect(plan?.nemesis.first?.membership?.wipes == true)
        #expect(plan?.resolvedYAML(seed: 1).contains("  members: 3\n") == true)
    }

    @Test(arguments: [
        ("nodes: 3", "{ at: 2s, fault: membership, change: grow, target: all }",
         "plans/g.yaml:5:5: 'change: grow' adds the cluster's spare nodes, but every node is a member: set 'members' "
            + "in 'cluster' below 'nodes' (e.g. nodes: 5, members: 3)"),
        ("nodes: 5, members: 3", "{ at: 2s, fault: membership, change: grow, target: leader }",
         "plans/g.yaml:5:5: 'change: grow' picks among the spare nodes (n4, n5): use target 'all', 'random' or one "
            + "of them, not 'leader'"),
        ("nodes: 5, members: 3", "{ at: 2s, fault: membership, change: grow, target: n2 }",
         "plans/g.yaml:5:5: 'change: grow' picks among the spare nodes (n4, n5): use target 'all', 'random' or one "
            + "of them, not 'n2'"),
        ("nodes: 5, members: 3", "{ every: 4s, faults: [membership, kill], change: grow, target: random, for: 1s }",
         "plans/g.yaml:5:5: 'change: grow' targets spare nodes, which the step's other faults cannot: give grow a "
            + "step of its own"),
        ("nodes: 5, members: 3", "{ at: 2s, fault: membership, change: grow, target: all, data: keep }",
         "plans/g.yaml:5:67: 'change: grow' adds spare nodes, which always start empty; remove 'data: keep'"),
        ("nodes: 3, members: 4", "{ at: 2s, fault: kill, target: n1 }",
         "plans/g.yaml:3:31: 'members' (4) must be at most 'nodes' (3): the first 'members' nodes start as the "
            + "cluster, the rest as spares for 'change: grow'"),
    ])
    func growMistakesAreLocated(_ cluster: String, _ step: String, _ message: String) {
        let (plan, errors) = Self.raftNode(cluster, step)
        #expect(plan == nil)
        #expect(errors.contains(message), "\(errors)")
    }
}
