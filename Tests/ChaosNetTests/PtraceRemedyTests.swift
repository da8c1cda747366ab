@testable import ChaosNet
import Testing

/// When ptrace is refused, the remedy fits the likely reason.
@Suite struct PtraceRemedyTests {
    static let cases: [(scope: Int?, sysPtrace: Bool, seccomp: String, says: String)] = [
        (3, true, "off", "kernel.yama.ptrace_scope is 3 (ptrace off until reboot)"),
        (2, false, "off", "run chaos as root or with CAP_SYS_PTRACE, or sysctl kernel.yama.ptrace_scope=1"),
        (1, true, "filter", "--cap-add SYS_PTRACE or --security-opt seccomp=unconfined"),
        (nil, false, "off", "run chaos as root or with CAP_SYS_PTRACE, or sysctl kernel.yama.ptrace_scope=1"),
    ]

    @Test(arguments: cases)
    func remedyFitsTheReason(_ c: (scope: Int?, sysPtrace: Bool, seccomp: String, says: String)) {
        let remedy = PtraceProbe.remedy(scope: c.scope, sysPtrace: c.sysPtrace, seccomp: c.seccomp)
        #expect(remedy.contains(c.says), "\(remedy)")
        #expect(remedy.hasSuffix("or give the fault mode: signal (for nodes that handle a pause signal)"))
    }
}
