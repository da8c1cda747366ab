import Foundation
import Synchronization
import Testing
@testable import ChaosControl

/// The supervisor against real processes: output files, exit codes, signals, restarts, errors.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct SupervisorTests {
    /// A shell script and the status it must end with.
    struct ExitCase: Sendable, CustomTestStringConvertible {
        let script: String
        let expected: ExitStatus
        var testDescription: String { "\(script) → \(expected)" }
    }

    static let exitCases: [ExitCase] = [
        ExitCase(script: "exit 0", expected: .exited(0)),
        ExitCase(script: "echo out; echo err >&2; exit 3", expected: .exited(3)),
        ExitCase(script: "exit 255", expected: .exited(255)),
        // ulimit -c 0 so no core file is written whatever the host's core_pattern says.
        ExitCase(script: "ulimit -c 0; kill -SEGV $$", expected: .signaled(SIGSEGV, coreDumped: false)),
        ExitCase(script: "kill -KILL $$", expected: .signaled(SIGKILL, coreDumped: false)),
        ExitCase(script: "kill -TERM $$", expected: .signaled(SIGTERM, coreDumped: false)),
    ]

    @Test("exit status of a shell script", arguments: exitCases)
    func exitStatus(_ exitCase: ExitCase) async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(shell(exitCase.script, scratch))
        #expect(await supervisor.exitStatus(of: child) == exitCase.expected)
    }

    @Test("stdout and stderr land in their files")
    func outputFiles() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(shell("echo out; echo err >&2; exit 3", scratch))
        #expect(await supervisor.exitStatus(of: child) == .exited(3))
        #expect(contents(of: scratch.file("stdout.log")) == "out\n")
        #expect(contents(of: scratch.file("stderr.log")) == "err\n")
    }

    @Test("environment, working directory and nested log directories are honoured; no fd leaks")
    func environmentAndDirectory() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        var spec = shell("echo \"$CHAOS_NODE\"; pwd; ls /proc/self/fd >&2", scratch)
        spec.environment = ["CHAOS_NODE": "n2", "PATH": "/usr/bin:/bin"]
        spec.workingDirectory = scratch.path
        spec.stdoutPath = scratch.file("nodes/n2/stdout.log")
        let child = try supervisor.spawn(spec)
        #expect(await supervisor.exitStatus(of: child) == .exited(0))
        #expect(contents(of: spec.stdoutPath) == "n2\n\(scratch.path)\n")
        // `ls` sees 0, 1, 2 and its own directory fd (3): nothing of the controller leaked into the child.
        #expect(contents(of: spec.stderrPath) == "0\n1\n2\n3\n")
    }

    @Test("SIGKILL of a sleeping child is seen as a signal exit")
    func killSleeper() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        var spec = scratch.sleeper()
        spec.executable = "sleep" // a bare name, found on PATH
        let child = try supervisor.spawn(spec)
        #expect(supervisor.currentStatus(of: child) == nil)
        #expect(ProcReader.state(pid: child.pid) != nil)
        try supervisor.signal(child, SIGKILL)
        #expect(await supervisor.exitStatus(of: child) == .signaled(SIGKILL, coreDumped: false))
        #expect(supervisor.liveChildren.isEmpty)
    }

    @Test("terminate: a child that exits on SIGTERM is not escalated")
    func terminateGraceful() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(shell("trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done", scratch))
        #expect(await waitFor("ready", in: scratch.file("stdout.log")))
        let killing = Mutex(false)
        let (status, escalated) = await supervisor.terminate(child, grace: .seconds(10)) {
            killing.withLock { $0 = true }
        }
        #expect(status == .exited(0))
        #expect(!escalated)
        #expect(!killing.withLock { $0 })
    }

    @Test("terminate: a child that ignores SIGTERM is SIGKILLed after the grace period")
    func terminateEscalated() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(shell("trap '' TERM; echo ready; while :; do sleep 0.05; done", scratch))
        #expect(await waitFor("ready", in: scratch.file("stdout.log")))
        let start = ContinuousClock.now
        // Told before the SIGKILL: the process must still be there when the callback runs.
        let aliveWhenTold = Mutex<Bool?>(nil)
        let (status, escalated) = await supervisor.terminate(child, grace: .milliseconds(300)) {
            aliveWhenTold.withLock { $0 = supervisor.currentStatus(of: child) == nil }
        }
        let elapsed = ContinuousClock.now - start
        #expect(status == .signaled(SIGKILL, coreDumped: false))
        #expect(escalated)
        #expect(aliveWhenTold.withLock { $0 } == true)
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test("restart: the same spec again appends to stdout and gets a new pid")
    func restart() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let spec = shell("echo run $$", scratch)
        let first = try supervisor.spawn(spec)
        #expect(await supervisor.exitStatus(of: first) == .exited(0))
        let second = try supervisor.spawn(spec)
        #expect(await supervisor.exitStatus(of: second) == .exited(0))
        #expect(first.pid != second.pid)
        #expect(contents(of: spec.stdoutPath) == "run \(first.pid)\nrun \(second.pid)\n")
        // An exited child cannot be signalled: its pid may already belong to someone else.
        #expect(throws: ControlError.self) { try supervisor.signal(first, SIGKILL) }
    }

    @Test("every exit is reported once on the exits stream, and to every awaiter")
    func exitsStream() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        var expected: [ChildProcess: ExitStatus] = [:]
        for code in [5, 6, 7] as [Int32] {
            expected[try supervisor.spawn(shell("sleep 0.1; exit \(code)", scratch))] = .exited(code)
        }
        let someChild = expected.keys.first!
        async let one = supervisor.exitStatus(of: someChild)
        async let two = supervisor.exitStatus(of: someChild)
        var seen: [ChildProcess: ExitStatus] = [:]
        for await (child, status) in supervisor.exits {
            #expect(seen[child] == nil, "\(child) reported twice")
            seen[child] = status
            if seen.count == expected.count {
                break
            }
        }
        #expect(seen == expected)
        #expect(await one == expected[someChild])
        #expect(await two == expected[someChild])
    }

    @Test("concurrent spawns from many tasks are all started and reaped with their own status")
    func concurrentSpawns() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let spec = shell("exit $CODE", scratch)
        let statuses = try await withThrowingTaskGroup(of: (Int32, ExitStatus).self) { group in
            for code in 0..<24 as Range<Int32> {
                var mine = spec
                mine.environment["CODE"] = "\(code)"
                group.addTask {
                    let child = try supervisor.spawn(mine)
                    return (code, await supervisor.exitStatus(of: child))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(statuses.count == 24)
        for (code, status) in statuses {
            #expect(status == .exited(code))
        }
        #expect(supervisor.liveChildren.isEmpty)
    }

    @Test("killAll kills every live child, including its process group")
    func killAll() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let children = try (0..<3).map { _ in try supervisor.spawn(shell("sleep 30 & echo $!; wait", scratch)) }
        let pidsFile = scratch.file("stdout.log")
        let deadline = ContinuousClock.now + .seconds(10)
        while contents(of: pidsFile).split(separator: "\n").count < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let grandchildren = contents(of: pidsFile).split(separator: "\n").compactMap { Int32($0) }
        #expect(grandchildren.count == 3)
        #expect(supervisor.liveChildren.count == 3)
        await supervisor.killAll()
        #expect(supervisor.liveChildren.isEmpty)
        for child in children {
            #expect(supervisor.currentStatus(of: child) == .signaled(SIGKILL, coreDumped: false))
        }
        // The grandchildren (`sleep 30` in each node's process group) died with the group.
        try await Task.sleep(for: .milliseconds(200))
        for pid in grandchildren {
            let state = ProcReader.state(pid: pid)
            #expect(state == nil || state == "Z", "grandchild \(pid) still alive (state \(String(describing: state)))")
        }
    }

    /// A spec that cannot start, and texts its error must contain.
    struct FailureCase: Sendable, CustomTestStringConvertible {
        let executable: String
        var workingDirectory: String? = nil
        var networkNamespacePath: String? = nil
        let mentions: [String]
        var testDescription: String { mentions.joined(separator: ", ") }
    }

    static let failureCases: [FailureCase] = [
        FailureCase(executable: "/nonexistent/chaos-missing-node",
                    mentions: ["'/nonexistent/chaos-missing-node'", "execve", "ENOENT"]),
        FailureCase(executable: "chaos-no-such-command", mentions: ["'chaos-no-such-command'", "PATH"]),
        FailureCase(executable: "/proc/version", mentions: ["'/proc/version'", "execve", "EACCES"]),
        FailureCase(executable: "/bin/true", workingDirectory: "/nonexistent/dir",
                    mentions: ["'/nonexistent/dir'", "chdir", "ENOENT"]),
        FailureCase(executable: "/bin/true", networkNamespacePath: "/nonexistent/ns",
                    mentions: ["'/nonexistent/ns'", "open", "ENOENT"]),
    ]

    @Test("a spawn that cannot start throws synchronously, naming the value and the call", arguments: failureCases)
    func spawnFailure(_ failure: FailureCase) throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        var spec = ProcessSpec(executable: failure.executable, stdoutPath: scratch.file("out"),
                               stderrPath: scratch.file("err"))
        spec.workingDirectory = failure.workingDirectory
        spec.networkNamespacePath = failure.networkNamespacePath
        let error = try #require(throws: ControlError.self) { try supervisor.spawn(spec) }
        for text in failure.mentions {
            #expect(error.description.contains(text), "\(error.description)")
        }
        #expect(supervisor.liveChildren.isEmpty)
    }

    @Test("a child spawned with a network namespace runs inside it",
          .enabled(if: getuid() == 0, "setns(CLONE_NEWNET) needs CAP_SYS_ADMIN: run the tests as root"),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
                   "needs /usr/bin/unshare (util-linux) to create the namespace holder"))
    func networkNamespace() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let holder = try supervisor.spawn(ProcessSpec(
            executable: "/usr/bin/unshare", arguments: ["--net", "/bin/sh", "-c", "echo ready; exec sleep 30"],
            stdoutPath: scratch.file("holder.out"), stderrPath: scratch.file("holder.err")))
        #expect(await waitFor("ready", in: scratch.file("holder.out")))
        let holderNS = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(holder.pid)/ns/net")
        let ownNS = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        #expect(holderNS != ownNS)

        var spec = shell("readlink /proc/self/ns/net", scratch)
        spec.networkNamespacePath = "/proc/\(holder.pid)/ns/net"
        let node = try supervisor.spawn(spec)
        #expect(await supervisor.exitStatus(of: node) == .exited(0))
        #expect(contents(of: spec.stdoutPath) == holderNS + "\n")
        await supervisor.killAll()
    }

    private func shell(_ script: String, _ scratch: borrowing Scratch) -> ProcessSpec {
        ProcessSpec(executable: "/bin/sh", arguments: ["-c", script],
                    stdoutPath: scratch.file("stdout.log"), stderrPath: scratch.file("stderr.log"))
    }
}
