import CChaosSys
import ChaosControl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The rootless lab: an unprivileged chaos re-executes itself into a new user + network namespace in which it
/// is uid 0 with every capability over the namespaces it creates there, so it builds its lab exactly as root
/// would. The whole lab (node namespaces, bridge, routes, qdiscs) lives inside that namespace and vanishes with
/// the re-executed process; the run directory is written as the invoking user (uid 0 inside maps onto it).
public enum UserNamespace {
    /// Set in the re-executed process's environment, so it never tries to re-execute again.
    public static let marker = "CHAOS_IN_USER_NAMESPACE"

    /// True in the process chaos re-executed into its user namespace.
    public static var isInside: Bool { ProcessInfo.processInfo.environment[marker] == "1" }

    /// Tries for real (in a throw-away child) to make a user + network namespace and map this uid into it.
    /// - Returns: nil when it works, else why not (the errno of unshare or of writing the uid/gid map).
    public static func attempt() -> String? {
        let err = cchaos_try_user_namespace()
        guard err != 0 else { return nil }
        return "unshare(CLONE_NEWUSER|CLONE_NEWNET) or its uid map failed: \(String(cString: cchaos_errno_name(err))) "
            + "(\(String(cString: strerror(err))))"
    }

    /// Runs this executable again with `arguments` inside a new user + network namespace and waits for it,
    /// forwarding SIGINT, SIGTERM and SIGHUP sent to us (a terminal's Ctrl-C reaches it directly, once).
    /// It dies with us (PR_SET_PDEATHSIG), and with it the whole lab.
    /// - Returns: its exit code, or 128 + the signal that killed it.
    /// - Throws: `NetError` when the namespace or the exec is refused.
    public static func rerun(arguments: [String]) throws(NetError) -> Int32 {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var environment = ProcessInfo.processInfo.environment
        environment[marker] = "1"
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var stage: Int32 = 0
        var pid: pid_t = 0
        let err = withCStringArray([executable] + arguments.dropFirst()) { argv in
            withCStringArray(envp) { envp in cchaos_spawn_in_user_namespace(executable, argv, envp, &stage, &pid) }
        }
        guard err == 0 else {
            let userns = stage == Int32(CCHAOS_SPAWN_STAGE_USERNS.rawValue)
            throw NetError(operation: userns ? "enter a user namespace" : "re-execute '\(executable)'",
                           call: userns ? "unshare" : "spawn", errno: err,
                           hint: userns ? "run 'chaos doctor' (userns), run as root, or use network: loopback" : nil)
        }
        var code: Int32 = 0
        var status: Int32 = 0
        try systemCall("waitid", "wait for chaos in its user namespace") {
            cchaos_wait_forwarding_signals(pid, &code, &status)
        }
        return code == cchaos_cld_exited() ? status : 128 + status
    }
}
