import ChaosSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What to run: the executable, its arguments and environment, where its output goes and which network
/// namespace it lives in.
public struct ProcessSpec: Sendable, Hashable {
    /// An absolute path, a path relative to the controller's working directory, or a bare name looked up
    /// in the child's `PATH`.
    public var executable: String
    /// The arguments after argv[0] (argv[0] is `executable` as given).
    public var arguments: [String]
    /// The child's full environment.
    public var environment: [String: String]
    /// Where the child starts; nil = the controller's working directory.
    public var workingDirectory: String?
    /// Files the child's stdout and stderr go to, opened `O_APPEND|O_CREAT` so a restart appends.
    /// Missing parent directories are created. The same path for both interleaves them in one file.
    public var stdoutPath: String
    public var stderrPath: String
    /// A network namespace file to `setns` into before exec (e.g. `/proc/PID/ns/net` of a holder, or
    /// `/run/netns/NAME`); nil = the controller's namespace.
    public var networkNamespacePath: String?
    /// Sent to the child when the controller dies (PR_SET_PDEATHSIG); 0 = none. SIGKILL by default, so
    /// nodes never outlive the controller, even when it is SIGKILLed.
    public var parentDeathSignal: Int32
    /// Starts the child in its own process group (pgid = pid), so `signalGroup` reaches its helpers too.
    public var newProcessGroup: Bool
    /// Raises the child's RLIMIT_CORE to its hard limit, so a crash leaves a core file where
    /// `kernel.core_pattern` puts it (with a plain pattern: the working directory).
    public var coreDumps: Bool

    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String? = nil,
        stdoutPath: String,
        stderrPath: String,
        networkNamespacePath: String? = nil,
        parentDeathSignal: Int32 = SIGKILL,
        newProcessGroup: Bool = true,
        coreDumps: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.networkNamespacePath = networkNamespacePath
        self.parentDeathSignal = parentDeathSignal
        self.newProcessGroup = newProcessGroup
        self.coreDumps = coreDumps
    }

    /// The executable as an absolute path, found the way a shell would: a name with a slash is a path
    /// (relative ones against the controller's directory), a bare name is searched in the child's `PATH`.
    /// - Throws: `ControlError` when a bare name is on no `PATH` entry.
    func resolvedExecutable() throws(ControlError) -> String {
        if executable.contains("/") {
            if executable.hasPrefix("/") {
                return executable
            }
            return FileManager.default.currentDirectoryPath + "/" + executable
        }
        let path = environment["PATH"] ?? ExecutableSearch.searchPath
        if let found = ExecutableSearch.onPath(executable, path: path) {
            return found
        }
        throw ControlError(
            operation: "spawn '\(executable)'", call: nil, errno: ENOENT,
            hint: "no executable of that name on PATH '\(path)'; give an absolute path or fix PATH")
    }
}
