import ChaosChecker
import ChaosControl
import ChaosHistory
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real process that crashes under the supervisor, started the way nodes are (in its own directory, with
/// RLIMIT_CORE raised), leaves a core file that the crash checker names.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct CoreFileTests {
    /// Why cores cannot land in a node's directory on this machine, or nil when they can.
    static var coresUnavailable: String? {
        let pattern = CorePattern.current()
        if pattern.pipeProgram != nil || pattern.pattern.hasPrefix("/") {
            return "kernel.core_pattern is '\(pattern.pattern)': cores do not land in the node's directory"
        }
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        return limit.rlim_max == 0 ? "the hard RLIMIT_CORE is 0: no process may dump core" : nil
    }

    @Test(.enabled(if: coresUnavailable == nil, "\(coresUnavailable ?? "")"))
    func aCrashedNodesCoreFileIsReported() async throws {
        let directory = TestSupport.temporaryDirectory("core")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let supervisor = Supervisor()
        let spec = ProcessSpec(executable: "/bin/sh", arguments: ["-c", "kill -SEGV $$"], workingDirectory: directory,
                               stdoutPath: "\(directory)/stdout.log", stderrPath: "\(directory)/stderr.log",
                               coreDumps: true)
        let child = try supervisor.spawn(spec)
        let status = await supervisor.exitStatus(of: child)
        #expect(status == .signaled(SIGSEGV, coreDumped: true))
        let exit = NodeExit(node: "n1", pid: child.pid, time: 1_000_000_000, status: status.nodeExitStatus,
                            cause: .unexpected)
        let result = await CrashChecker(patterns: [])
            .check(CheckInput(history: History(), exits: [exit], nodeDirectories: ["n1": directory], nodes: ["n1"]))
        #expect(result.verdict == .invalid)
        let core = try #require(result.findings.first { $0.message.hasPrefix("n1 left a core file: ") },
                                "\(result.findings.map(\.message))")
        let path = String(core.message.dropFirst("n1 left a core file: ".count))
        #expect(path.hasPrefix(directory + "/"))
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(core.details.last == "from pid \(child.pid), which died by signal 11 (SIGSEGV), core dumped")
        #expect(result.metrics["coreFiles"] == 1)
    }
}
