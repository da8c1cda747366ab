import CChaosSys
import Foundation

/// Whether this machine lets chaos freeze a node's threads with ptrace: Yama's `ptrace_scope`, CAP_SYS_PTRACE,
/// the seccomp mode, and a real PTRACE_SEIZE + PTRACE_INTERRUPT of a throw-away child (nodes are chaos's
/// children too, so the attempt answers for them).
enum PtraceProbe {
    static func run(capabilities: UInt64) -> Capabilities.Entry {
        let scope = Capabilities.readInt("/proc/sys/kernel/yama/ptrace_scope")
        let sysPtrace = capabilities & (1 << 19) != 0
        let seccomp = seccompMode()
        var stage: Int32 = 0
        let err = cchaos_ptrace_probe(&stage)
        let attempt = err == 0
            ? "PTRACE_SEIZE of a child: ok"
            : "\(step(stage)) of a child failed: \(String(cString: cchaos_errno_name(err))) "
                + "(\(String(cString: strerror(err))))"
        let detail = [
            attempt,
            scope.map { "yama ptrace_scope \($0)" } ?? "no Yama",
            "CAP_SYS_PTRACE \(sysPtrace ? "yes" : "no")",
            "seccomp \(seccomp)",
        ].joined(separator: ", ")
        return Capabilities.Entry(name: "ptrace", available: err == 0, detail: detail,
                                  remedy: remedy(scope: scope, sysPtrace: sysPtrace, seccomp: seccomp))
    }

    /// What to do, for the most likely reason the attempt failed.
    static func remedy(scope: Int?, sysPtrace: Bool, seccomp: String) -> String {
        let signal = "or give the fault mode: signal (for nodes that handle a pause signal)"
        switch scope {
        case 3?:
            return "kernel.yama.ptrace_scope is 3 (ptrace off until reboot): reboot with a lower scope, \(signal)"
        case 2? where !sysPtrace:
            return "kernel.yama.ptrace_scope is 2 (admin only): run chaos as root or with CAP_SYS_PTRACE, "
                + "or sysctl kernel.yama.ptrace_scope=1, \(signal)"
        default:
            if seccomp != "off" {
                return "a seccomp filter (a container's profile?) refuses ptrace: run the container with "
                    + "--cap-add SYS_PTRACE or --security-opt seccomp=unconfined, \(signal)"
            }
            return "run chaos as root or with CAP_SYS_PTRACE, or sysctl kernel.yama.ptrace_scope=1, \(signal)"
        }
    }

    /// `off`, `strict` or `filter` from the `Seccomp:` line of /proc/self/status.
    private static func seccompMode() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Seccomp:") }
        switch line.map({ $0.dropFirst("Seccomp:".count).trimmingCharacters(in: .whitespaces) }) {
        case "1": return "strict"
        case "2": return "filter"
        default: return "off"
        }
    }

    private static func step(_ stage: Int32) -> String {
        switch cchaos_ptrace_probe_stage(UInt32(bitPattern: stage)) {
        case CCHAOS_PTRACE_PROBE_FORK: "fork"
        case CCHAOS_PTRACE_PROBE_SEIZE: "PTRACE_SEIZE"
        case CCHAOS_PTRACE_PROBE_INTERRUPT: "PTRACE_INTERRUPT"
        case CCHAOS_PTRACE_PROBE_STOP: "waiting for the tracing stop"
        default: "PTRACE_DETACH"
        }
    }
}
