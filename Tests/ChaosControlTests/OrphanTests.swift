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
        // The test binary may sit inside a bundle directory (chaosPackageTests.xctest/...): walk up to .build/<config>.
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("chaos-probe").path) {
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
        let probe = Self.probePath
        try #require(FileManager.default.isExecutableFile(atPath: probe),
                     "chaos-probe not found at \(probe); run `swift build` before `swift test`")
        let scratch = Scratch()
        let supervisor = Supervisor()
        let controller = try supervisor.spawn(ProcessSpec(
            executable: probe, arguments: ["3"], stdoutPath: scratch.file("probe.out"),
            stderrPath: scratch.file("probe.err")))
        let line = scratch.file("probe.out")
        #expect(await waitFor("\n", in: line), "probe printed nothing; stderr: \(contents(of: scratch.file("probe.err")))")
        let fields = contents(of: line).split(whereSeparator: \.isWhitespace)
        try #require(fields.first == "pids", "unexpected probe output '\(contents(of: line))'")
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
        let survivors = pids.filter(Self.isAlive)
        #expect(survivors.isEmpty, "orphans outlived the controller: \(survivors)")
        print("no-orphans: children gone \(ContinuousClock.now - killedAt) after the controller was reaped")
        for pid in pids {
            // Dead, and not left to us as a zombie: they were reparented away from the dead probe.
            #expect(ProcReader.parentPID(pid: pid) != getpid())
        }
    }
}
