import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `system: etcd` end to end against real etcd members (Debian's `etcd-server`), and its missing-binary error.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EtcdRunTests {
    /// `etcd` on PATH, as chaos itself finds it.
    static var etcd: String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/etcd" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: getuid() == 0, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"),
          .enabled(if: etcd != nil, "needs etcd on PATH (apt-get install etcd-server; make setup does it)"))
    func ciPlanEndsValidWithEveryMemberCaughtUpAfterEachHeal() async throws {
        let out = TestSupport.temporaryDirectory("etcd-ci")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = "\(TestSupport.packageRoot)/plans/etcd-ci.yaml"
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 8, quiet: true))
        let directory = try LabCheck.runDirectory(out)
        let resultsText = (try? String(contentsOfFile: "\(directory)/results.json", encoding: .utf8)) ?? "none"
        #expect(code == .valid, "results: \(resultsText)")

        let results = try #require(
            try JSONSerialization.jsonObject(with: Data(resultsText.utf8)) as? [String: Any])
        let checks = results["checks"] as? [[String: Any]] ?? []
        func check(_ name: String) -> [String: Any] { checks.first { $0["name"] as? String == name } ?? [:] }
        #expect(check("linearizable")["verdict"] as? String == "valid")
        #expect(check("divergence")["verdict"] as? String == "valid")
        let divergence = check("divergence")["metrics"] as? [String: Any] ?? [:]
        #expect((divergence["comparedEntries"] as? Double ?? 0) > 1000, "divergence: \(divergence)")

        // lag.csv: every member sampled, and after each heal every target reaches the cluster's commit index
        // as of the heal.
        let rows = try String(contentsOfFile: "\(directory)/lag.csv", encoding: .utf8).split(separator: "\n")
            .dropFirst().map { $0.split(separator: ",").map(String.init) }
        struct Row { var time: Double, node: String, answered: Bool, index: Int, clusterCommit: Int }
        let lag = rows.compactMap { r -> Row? in
            guard r.count >= 6, let time = Double(r[0]), let index = Int(r[4]), let commit = Int(r[5])
            else { return nil }
            return Row(time: time, node: r[1], answered: r[3] == "1", index: index, clusterCommit: commit)
        }
        #expect(Set(lag.filter(\.answered).map(\.node)) == ["n1", "n2", "n3"])
        let events = try LabCheck.jsonLines("\(directory)/events.jsonl")
        let heals = events.filter { $0["phase"] as? String == "heal" }
        // A `leader` target can find none (etcd 3.4 without pre-vote may stay leaderless for seconds after a
        // heal), and that step is then an error event instead; every fault injected must be healed.
        #expect(heals.count == events.filter { $0["phase"] as? String == "inject" }.count, "events: \(events)")
        #expect(heals.count >= 3, "events: \(events)")
        for heal in heals {
            let at = Double(heal["time"] as? Int ?? 0) / 1e9
            let target = lag.last { $0.time <= at }?.clusterCommit ?? 0
            for node in heal["targets"] as? [String] ?? [] {
                let caughtUp = lag.first { $0.node == node && $0.time >= at && $0.answered && $0.index >= target }
                #expect(caughtUp != nil, "\(node) never reached index \(target) after the heal at \(at)s")
            }
        }
        #expect(TestSupport.processes(matching: directory).isEmpty, "etcd members outlived the run")
    }

    @Test func aMissingEtcdBinaryIsExit4WithTheInstallCommand() throws {
        let chaos = try #require(TestSupport.binary("chaos"), "chaos is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory("etcd-missing")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let configured = try LabCheck.writePlan(in: out, """
            name: etcd-missing
            duration: 2s
            cluster: { system: etcd, binary: \(out)/no-etcd, network: loopback }
            """)
        let unconfigured = "\(out)/unconfigured.yaml"
        try """
            name: etcd-missing
            duration: 2s
            cluster: { system: etcd, network: loopback }
            """.write(toFile: unconfigured, atomically: true, encoding: .utf8)
        // The second plan finds no etcd because PATH holds only an empty directory.
        for (plan, path) in [(configured, ProcessInfo.processInfo.environment["PATH"] ?? ""), (unconfigured, out)] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chaos)
            process.arguments = ["run", plan, "--out", out, "--quiet"]
            process.environment = ["PATH": path]
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 4, "\(plan): \(message)")
            #expect(message.contains("apt-get install etcd-server"), "\(plan): \(message)")
        }
    }
}
