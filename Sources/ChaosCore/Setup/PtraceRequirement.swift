import ChaosNet
import ChaosPlan

/// Plans that freeze threads by ptrace are refused before anything starts (exit 4) when this machine does not
/// allow ptrace, with the reason and the remedy; a thread freeze failing mid-run would only show as an error event.
enum PtraceRequirement {
    /// - Parameter ptrace: the machine's answer; probed (a real PTRACE_SEIZE of a throw-away child) only when a
    ///   step needs it.
    /// - Throws: `RunError.environment` located at the first `pause-thread` step in ptrace mode (or else the
    ///   first `jitter` step that freezes threads or stops them at breakpoints).
    static func check(_ plan: Plan, ptrace: @autoclosure () -> Capabilities.Entry = Capabilities.probePtrace())
        throws(RunError) {
        let needing = plan.nemesis.first { $0.faults.contains(.pauseThread) && $0.thread?.mode == .ptrace }
            ?? plan.nemesis.first { $0.faults.contains(.jitter) && $0.jitter?.traces == true }
        guard let step = needing else { return }
        let answer = ptrace()
        guard !answer.available else { return }
        let what = step.faults.contains(.jitter)
            ? (step.jitter?.freezes == true ? "jitter with 'freeze'" : "jitter with 'stop_at'") : "pause-thread in mode: ptrace"
        throw .environment(step.located("\(what) needs ptrace, which this machine refuses ("
                                        + "\(answer.detail)); \(answer.remedy ?? "run chaos as root")"))
    }
}

extension NemesisStep {
    /// `message` prefixed with the step's place in the plan (`plans/x.yaml:12:5: `), when known.
    func located(_ message: String) -> String {
        (location.map { "\($0): " } ?? "") + message
    }
}
