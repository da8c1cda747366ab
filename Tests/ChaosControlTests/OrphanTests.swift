import Foundation
import Testing
@testable import ChaosControl

/// Nodes must never outlive the controller, even when the controller is SIGKILLed (PR_SET_PDEATHSIG).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct OrphanTests {
    /// `chaos-probe`, built next to the test bundle by `swift build`.
    static var probePath: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // The test binary may sit inside a bundle (chaosPackageTests.xctest/...): walk up to .build/<config>.
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: directory.path + "/chaos-probe") {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("chaos-probe").path
    }

    /// Alive = has a /proc entry and is not a zombie (a zombie is dead; it only waits to be reaped).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let state = ProcReader.state(pid: pid) else {
            return false
        }
        return state != "Z"
    }

    @Test("children of a SIGKILLed controller die within 2 s")
    func noOrphans() async throws {
        let (pids, gone) = try await killProbe(arguments: ["3"])
        let survivors = pids.filter(Self.isAlive)
        #expect(survivors.isEmpty, "orphans outlived the controller: \(survivors)")
        print("no-orphans: \(pids.count) children gone \(gone) after the controller was reaped")
        for pid in pids {
            // Dead, and not left to us as a zombie: they were reparented away from the dead probe.
            #expect(ProcReader.parentPID(pid: pid) != getpid())
        }
    }

    /// The control for the test above: it shows the test would catch orphans.
    @Test("without PR_SET_PDEATHSIG the same children survive (control experiment)")
    func orphansWithoutParentDeathSignal() async throws {
        let (pids, _) = try await killProbe(arguments: ["3", "--no-parent-death-signal"])
        defer { pids.forEach { kill($0, SIGKILL) } } // they are not ours any more; clean up by pid
        #expect(pids.allSatisfy(Self.isAlive), "children should survive a controller without the death signal")
    }

    /// Runs chaos-probe, reads its children's pids, SIGKILLs it, and waits up to 2 s for the children to die.
    /// - Returns: the children's pids and how long after the probe's reaping they were all gone (or 2 s).
    private func killProbe(arguments: [String]) async throws -> (pids: [Int32], gone: Duration) {
        let probe = Self.probePath
        try #require(FileManager.default.isExecutableFile(atPath: probe),
                     "chaos-probe not found at \(probe); run `swift build` before `swift test`")
        let scratch = Scratch()
        let supervisor = Supervisor()
        let controller = try supervisor.spawn(ProcessSpec(
            executable: probe, arguments: arguments, stdoutPath: scratch.file("probe.out"),
            stderrPath: scratch.file("probe.err")))
        let output = scratch.file("probe.out")
        let printed = await waitFor("\n", in: output)
        try #require(printed, "probe printed nothing; stderr: \(contents(of: scratch.file("probe.err")))")
        let fields = contents(of: output).split(whereSeparator: \.isWhitespace)
        try #require(fields.first == "pids", "unexpected probe output '\(contents(of: output))'")
        let pids = fields.dropFirst().compactMap { Int32($0) }
        try #require(pids.count == 3)
        for pid in pids {
            #expect(Self.isAlive(pid), "child \(pid) of the probe should run before the probe is killed")
            #expect(ProcReader.parentPID(pid: pid) == controller.pid)
        }

        try supervisor.signal(controller, SIGKILL)
        #expect(await supervisor.exitStatus(of: controller) == .signaled(SIGKILL, coreDumped: false))
        let killedAt = ContinuousClock.now
        while pids.contains(where: Self.isAlive) && ContinuousClock.now - killedAt < .seconds(2) {
            try await Task.sleep(for: .milliseconds(5))
        }
        return (pids, ContinuousClock.now - killedAt)
    }
}
