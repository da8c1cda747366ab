/// The `pause-thread` keys of a nemesis step: `thread` (a regular expression on thread names), `mode`
/// (`ptrace`, the default, or `signal`), and for `signal` mode `signal` / `resume_signal`.
extension PlanDecoder {
    static let threadKeys = ["thread", "mode", "signal", "resume_signal"]
    static let threadModes = ["ptrace", "signal"]

    /// What a step's thread keys decoded to; `pause` is nil for steps without `pause-thread`.
    struct ThreadKeys {
        var pause: ThreadPause?
    }

    /// - Returns: nil when a key is wrong (reported), else the decoded keys.
    mutating func decodeThreadPause(_ fields: Fields, faults: [Fault]?) -> ThreadKeys? {
        let present = Self.threadKeys.compactMap { fields[$0] }
        guard let faults, faults.contains(.pauseThread) else {
            guard faults != nil, let first = present.first else { return ThreadKeys() }
            error("'\(first.name)' applies only to 'pause-thread' faults", at: first.key)
            return nil
        }
        guard let entry = required("thread", in: fields), let pattern = string(entry) else { return nil }
        if (try? Regex(pattern)) == nil {
            error("'thread' must be a regular expression on thread names, got '\(pattern)'", at: entry.value)
            return nil
        }
        var mode = ThreadPause.Mode.ptrace
        if let entry = fields["mode"], let text = string(entry) {
            switch text {
            case "ptrace":
                for name in ["signal", "resume_signal"] {
                    if let extra = fields[name] {
                        error("'\(name)' applies only to 'mode: signal'", at: extra.key)
                        return nil
                    }
                }
            case "signal":
                guard let stopEntry = fields["signal"], let resumeEntry = fields["resume_signal"] else {
                    error("'mode: signal' needs 'signal' and 'resume_signal' (e.g. SIGUSR1 and SIGUSR2)",
                          at: entry.value)
                    return nil
                }
                let stop = signalNumber(stopEntry)
                let resume = signalNumber(resumeEntry)
                guard let stop, let resume else { return nil }
                mode = .signal(stop: stop, resume: resume)
            default:
                error("unknown mode '\(text)'" + Suggestion.hint(for: text, among: Self.threadModes), at: entry.value)
                return nil
            }
        } else if fields["mode"] != nil {
            return nil
        }
        return ThreadKeys(pause: ThreadPause(pattern: pattern, mode: mode))
    }

    /// `SIGUSR1`, `USR1` or a number from 1 to 64.
    private mutating func signalNumber(_ entry: Entry) -> Int32? {
        guard let text = string(entry) else { return nil }
        let names: [String: Int32] = ["HUP": 1, "INT": 2, "QUIT": 3, "USR1": 10, "USR2": 12, "TERM": 15,
                                      "CONT": 18, "STOP": 19, "TSTP": 20, "WINCH": 28]
        let bare = text.hasPrefix("SIG") ? String(text.dropFirst(3)) : text
        if let number = names[bare] ?? Int32(text), (1...64).contains(number) { return number }
        error("'\(entry.name)' must be a signal such as SIGUSR1 or a number from 1 to 64, got '\(text)'",
              at: entry.value)
        return nil
    }
}
