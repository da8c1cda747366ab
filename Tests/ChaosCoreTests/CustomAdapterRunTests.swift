import ChaosControl
import ChaosCore
import ChaosPlan
import Foundation
import Testing

/// raft-node driven through the declarative adapter (`adapters/raft-node.yaml`) behaves as through the built-in
/// Swift adapter: the same command line, the same verdicts on a plan with a fault, and a real bug still caught.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CustomAdapterRunTests {
    static let adapter = "\(TestSupport.packageRoot)/adapters/raft-node.yaml"

    /// The plan text for `system` (`raft-node`, or `custom` through the shipped adapter).
    static func plan(_ name: String, custom: Bool, body: String, args: [String] = []) -> String {
        let cluster = custom
            ? "{ system: custom, nodes: 3, binary: raft-node, adapter: \"\(adapter)\", args: \(args), "
                + "network: loopback }"
            : "{ system: raft-node, nodes: 3, args: \(args), network: loopback }"
        return "name: \(name)\nduration: 30s\ncluster: \(cluster)\n" + body
    }

    /// Runs the plan text and returns the exit code, each checker's verdict, results.json and history.jsonl.
    static func run(_ text: String, duration: Duration)
        async throws -> (ExitCode, [String: String], [String: Any], String)
    {
        let out = TestSupport.temporaryDirectory("custom")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let path = "\(out)/plan.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let code = await Runner.run(RunOptions(planPath: path, outputRoot: out, seed: 3, duration: duration,
                                               quiet: true))
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(run)/results.json"))
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let checks = results["checks"] as? [[String: Any]] ?? []
        let verdicts = Dictionary(uniqueKeysWithValues: checks.map {
            ($0["name"] as? String ?? "?", $0["verdict"] as? String ?? "?")
        })
        let history = try String(contentsOfFile: "\(out)/\(run)/history.jsonl", encoding: .utf8)
        return (code, verdicts, results, history)
    }

    @Test func theAdapterBuildsTheBuiltInCommandLine() throws {
        let plan = try PlanLoader.parse(Self.plan("c", custom: true, body: "", args: ["--fast"]), file: "/tmp/c.yaml")
        let nodes = (1...3).map {
            NodeAddress(id: "n\($0)", host: "10.77.0.\($0 + 1)", peerPort: 7000, clientPort: 8000)
        }
        let custom = CustomSystem(definition: try #require(plan.cluster.adapter), binary: "/bin/raft-node",
                                  extraArguments: ["--fast"])
        let builtIn = RaftNodeSystem(binary: "/bin/raft-node", extraArguments: ["--fast"])
        for node in nodes {
            #expect(custom.command(for: node, cluster: nodes, dataDirectory: "/d/\(node.id)")
                    == builtIn.command(for: node, cluster: nodes, dataDirectory: "/d/\(node.id)"))
        }
    }

    @Test func sameVerdictsAsTheBuiltInAdapterUnderAKill() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let body = """
            workload: { kind: cas-register, keys: 4, clients: 6, rate: 800/s, timeout: 1s }
            nemesis:
              - { at: 2s, fault: kill, target: leader, for: 2s }
            checks: { stats: {}, crash: {}, linearizable: {}, lag: {}, liveness: {}, divergence: {} }
            """
        let (builtInCode, builtIn, _, _) = try await Self.run(Self.plan("builtin", custom: false, body: body),
                                                              duration: .seconds(6))
        let (customCode, custom, _, history) = try await Self.run(Self.plan("custom", custom: true, body: body),
                                                                  duration: .seconds(6))
        #expect(builtInCode == .valid, "\(builtIn)")
        #expect(customCode == builtInCode)
        #expect(custom == builtIn)
        #expect(custom.count == 6)
        // The custom client really read values and swapped them (how many depends on the machine's load).
        let lines = history.split(separator: "\n")
        #expect(lines.contains { $0.contains(#""type":"ok","f":"read""#) && !$0.contains(#""value":null"#) })
        #expect(lines.contains { $0.contains(#""type":"ok","f":"cas""#) })
        #expect(lines.contains { $0.contains(#""type":"fail","f":"cas""#) && $0.contains("mismatch") })
    }

    @Test func aShutdownCrashIsCaughtThroughTheAdapterToo() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        // cubefs-shutdown-race (plans/seeds), its bug passed as raft-node's own flag through `args`. As root the
        // plan also holds the leader's writer inside its append (`stop_at`, as the seed plan does), which lands
        // most stops in the race's window; without root (no ptrace) only the stops remain, and the race is left to
        // chance.
        let traced = geteuid() == 0
        let body = """
            workload: { kind: cas-register, keys: 8, clients: \(traced ? 64 : 16), timeout: 1s }
            nemesis:
            \(traced ? """
              - every: 2s
                from: 2s
                faults: [jitter]
                target: leader
                for: 1500ms
                sched:
                  threads: "raft-writer"
                  stop_at: '^(function signature specialization <.*> of )?RaftNode\\.WAL\\.append\\(_: .*using:'
                  min_pause: 20ms
                  max_pause: 80ms
              - { every: 2s, from: 3s, faults: [stop], target: leader, for: 500ms }
            """ : """
              - { every: 4s, from: 3s, faults: [stop], target: leader, for: 1s }
            """)
            checks: { stats: {}, crash: {} }
            """
        let (code, verdicts, results, _) = try await Self.run(
            Self.plan("custom-shutdown", custom: true, body: body, args: ["--bug", "unsafe-shutdown"]),
            duration: .seconds(12))
        let crash = (results["checks"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "crash" }
        let findings = (crash?["findings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        // When the race is hit, the crash must be attributed to the shutdown through the adapter, and nothing else
        // may be called a crash.
        if verdicts["crash"] == "invalid" {
            #expect(findings.contains { $0.contains("crash on shutdown") }, "\(findings)")
        } else {
            #expect(verdicts["crash"] == "valid" && code == .valid, "\(verdicts)")
        }
        if traced {
            #expect(code == .invalid, "\(verdicts)")
        } else {
            withKnownIssue("without ptrace, unsafe-shutdown does not fire in every 12 s run", isIntermittent: true) {
                #expect(code == .invalid, "\(verdicts)")
            }
        }
    }
}
