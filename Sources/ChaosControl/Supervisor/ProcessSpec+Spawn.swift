import CChaosSys
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ProcessSpec {
    /// Forks and execs the spec; returns the pid once `execve` succeeded.
    ///
    /// Must run on the supervisor thread: the child's PR_SET_PDEATHSIG is tied to the thread that forks.
    /// - Throws: `ControlError` naming the step that failed (open, setns, chdir, execve, …) and its errno.
    func forkExec() throws(ControlError) -> Int32 {
        let path = try resolvedExecutable()
        let operation = "spawn '\(executable)'"
        let stdoutFD = try openOutput(stdoutPath, operation: operation)
        defer { close(stdoutFD) }
        let stderrFD = stderrPath == stdoutPath ? stdoutFD : try openOutput(stderrPath, operation: operation)
        defer { if stderrFD != stdoutFD { close(stderrFD) } }
        var netnsFD: Int32 = -1
        if let networkNamespacePath {
            netnsFD = try systemCall(
                "open", "\(operation): network namespace '\(networkNamespacePath)'",
                hint: "check that the namespace holder is still running"
            ) { open(networkNamespacePath, O_RDONLY | O_CLOEXEC) }
        }
        defer { if netnsFD >= 0 { close(netnsFD) } }

        let argv = [executable] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var stage: Int32 = 0
        var pid: pid_t = 0
        let err = withCStringArray(argv) { argvPointer in
            withCStringArray(envp) { envpPointer in
                let spawn = { (cwd: UnsafePointer<CChar>?) in
                    cchaos_spawn(path, argvPointer, envpPointer, cwd, stdoutFD, stderrFD, netnsFD,
                                 parentDeathSignal, newProcessGroup ? 1 : 0, coreDumps ? 1 : 0, &stage, &pid)
                }
                if let workingDirectory {
                    return workingDirectory.withCString { spawn($0) }
                }
                return spawn(nil)
            }
        }
        if err != 0 {
            throw Self.spawnError(operation: operation, path: path, stage: stage, errno: err, spec: self)
        }
        return pid
    }

    private func openOutput(_ file: String, operation: String) throws(ControlError) -> Int32 {
        let directory = (file as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ControlError(operation: "\(operation): create directory '\(directory)'",
                                   hint: "\(error.localizedDescription); check permissions of the run directory")
            }
        }
        return try systemCall("open", "\(operation): output file '\(file)'",
                              hint: "check permissions of the run directory") {
            open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        }
    }

    private static func spawnError(
        operation: String, path: String, stage: Int32, errno: Int32, spec: ProcessSpec
    ) -> ControlError {
        switch cchaos_spawn_stage(UInt32(bitPattern: stage)) {
        case CCHAOS_SPAWN_STAGE_EXECVE:
            let what = path == spec.executable ? "'\(path)'" : "'\(path)' (from '\(spec.executable)')"
            return ControlError(operation: "\(operation)", call: "execve", errno: errno,
                                hint: "check that \(what) exists and is an executable for this machine")
        case CCHAOS_SPAWN_STAGE_CHDIR:
            return ControlError(operation: "\(operation): working directory '\(spec.workingDirectory ?? "")'",
                                call: "chdir", errno: errno, hint: "create the directory or fix the path")
        case CCHAOS_SPAWN_STAGE_SETNS:
            return ControlError(operation: "\(operation): network namespace '\(spec.networkNamespacePath ?? "")'",
                                call: "setns", errno: errno,
                                hint: "setns needs CAP_SYS_ADMIN; run as root or inside the lab's user namespace")
        case CCHAOS_SPAWN_STAGE_PARENT_GONE:
            return ControlError(operation: operation, call: "getppid", errno: errno,
                                hint: "the controller died while starting the process")
        default:
            let call = [
                CCHAOS_SPAWN_STAGE_SETPGID: "setpgid", CCHAOS_SPAWN_STAGE_PDEATHSIG: "prctl(PR_SET_PDEATHSIG)",
                CCHAOS_SPAWN_STAGE_STDIO: "dup2", CCHAOS_SPAWN_STAGE_CLOSE_FDS: "close_range",
                CCHAOS_SPAWN_STAGE_SIGNALS: "sigprocmask", CCHAOS_SPAWN_STAGE_PIPE: "pipe2",
                CCHAOS_SPAWN_STAGE_FORK: "fork", CCHAOS_SPAWN_STAGE_RLIMIT: "setrlimit(RLIMIT_CORE)",
                CCHAOS_SPAWN_STAGE_USERNS: "unshare(CLONE_NEWUSER)",
            ][cchaos_spawn_stage(UInt32(bitPattern: stage))] ?? "spawn step \(stage)"
            return ControlError(operation: operation, call: call, errno: errno,
                                hint: "the system refused to start a process; check process and fd limits")
        }
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings` (an argv or envp), freed afterwards.
public func withCStringArray<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
) -> Result {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
}
