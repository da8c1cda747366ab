import ChaosCore
import Foundation
import Testing

/// Plans this machine cannot run on the network they ask for are refused before anything starts: exit 4 with
/// the located reason and the remedy, and no run directory.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct NetworkRefusalTests {
    /// Runs the built `chaos` with `arguments`; returns the exit status and stderr.
    static func chaos(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let path = try #require(TestSupport.binary("chaos"), "chaos is not built; run 'swift build' first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(arguments: ["run", "validate"])
    func loopbackWithAPartitionIsRefused(_ command: String) throws {
        let out = TestSupport.temporaryDirectory("loopback")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = try LabCheck.writePlan(in: out, """
            name: loopback
            duration: 10s
            cluster: { nodes: 3, network: loopback }
            nemesis:
              - { at: 2s, fault: partition, shape: halves, for: 3s }
            """)
        let arguments = command == "run" ? ["run", plan, "--out", out, "--quiet"] : ["validate", plan]
        let (status, stderr) = try Self.chaos(arguments)
        #expect(status == 4, "stderr: \(stderr)")
        #expect(stderr.contains("\(plan):5:5: fault 'partition' needs network: namespaces"), "stderr: \(stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/latest"), "a run started anyway")
    }

    /// True when `chaos doctor` reports netem missing (probed in a scratch namespace; needs root).
    static var kernelLacksNetem: Bool {
        guard getuid() == 0, let chaos = TestSupport.binary("chaos") else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: chaos)
        probe.arguments = ["doctor"]
        let pipe = Pipe()
        probe.standardOutput = pipe
        guard (try? probe.run()) != nil else { return false }
        let table = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        return table.contains("missing netem")
    }

    @Test(.enabled(if: kernelLacksNetem,
                   "needs root and a kernel without netem (CONFIG_NET_SCH_NETEM) to show the refusal"))
    func netemPlanIsRefusedWhereTheKernelHasNoNetem() throws {
        let out = TestSupport.temporaryDirectory("netem")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, stderr) = try Self.chaos(["run", "\(TestSupport.packageRoot)/plans/netem.yaml", "--out", out,
                                               "--quiet"])
        #expect(status == 4, "stderr: \(stderr)")
        #expect(stderr.contains("plans/netem.yaml:10:5: netem is not available in this kernel (CONFIG_NET_SCH_NETEM); "
                                + "load sch_netem or use mechanism: route"), "stderr: \(stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/latest"), "a run started anyway")
    }
}
