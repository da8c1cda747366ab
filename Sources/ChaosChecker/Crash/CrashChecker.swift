import ChaosHistory
import Foundation

/// Finds crashes: exits nothing chaos did explains, deaths by signal, unclean graceful stops, core files, and log
/// lines that match panic/assertion patterns.
public struct CrashChecker: Checker {
    /// Regular expressions matched against every line of every node's stdout.log and stderr.log.
    public var patterns: [String]
    /// Where the kernel puts core files (this machine's, unless a test says otherwise).
    public var corePattern: CorePattern

    public init(patterns: [String], corePattern: CorePattern = .current()) {
        self.patterns = patterns
        self.corePattern = corePattern
    }

    public var name: CheckName { .crash }

    public func check(_ input: CheckInput) async -> CheckResult {
        var findings: [Finding] = []
        for exit in input.exits {
            if let finding = judge(exit, logDirectory: input.nodeDirectories[exit.node]) {
                findings.append(finding)
            }
        }
        let cores = coreFindings(input)
        findings += cores
        var matchedLines = 0
        for node in input.nodes {
            guard let directory = input.nodeDirectories[node] else { continue }
            for file in ["stderr.log", "stdout.log"] {
                let path = (directory as NSString).appendingPathComponent(file)
                for hit in LogScan.matches(of: patterns, inFile: path) {
                    matchedLines += 1
                    if matchedLines > 50 { continue }  // enough to show; the count says the rest
                    findings.append(Finding("\(node) logged '\(hit.pattern)'", node: node,
                                            details: ["\(path):\(hit.line): \(hit.text)"]))
                }
            }
        }
        let unexpected = input.exits.filter { $0.cause == .unexpected }.count
        let summary = findings.isEmpty
            ? "no crash: \(input.exits.count) exits, all caused by chaos and clean"
            : "\(findings.count) crash finding\(findings.count == 1 ? "" : "s")"
        return CheckResult(
            name: name, verdict: findings.isEmpty ? .valid : .invalid, summary: summary, findings: findings,
            metrics: ["exits": Double(input.exits.count), "unexpectedExits": Double(unexpected),
                      "logMatches": Double(matchedLines), "coreFiles": Double(cores.count)])
    }

    /// One finding per core file a node left, naming the node and the file.
    private func coreFindings(_ input: CheckInput) -> [Finding] {
        var findings: [Finding] = []
        for node in input.nodes {
            guard let directory = input.nodeDirectories[node] else { continue }
            let exits = input.exits.filter { $0.node == node }
            for core in corePattern.coreFiles(workingDirectory: directory, pids: exits.map(\.pid)) {
                let size = (try? FileManager.default.attributesOfItem(atPath: core.path)[.size] as? Int) ?? nil
                let exit = core.pid.flatMap { pid in exits.first { $0.pid == pid } } ?? exits.last { $0.dumpedCore }
                var details = [core.path + (size.map { " (\($0) bytes)" } ?? "")]
                if let exit { details.append("from pid \(exit.pid), which \(describe(exit.status))") }
                findings.append(Finding("\(node) left a core file: \(core.path)", node: node,
                                        time: exit.map { Double($0.time) / 1e9 }, details: details))
            }
        }
        return findings
    }

    /// A finding for an exit chaos cannot account for, or nil when the exit is explained and clean.
    private func judge(_ exit: NodeExit, logDirectory: String?) -> Finding? {
        let at = Double(exit.time) / 1e9
        var tail = logDirectory.map { LogScan.tail(of: ($0 as NSString).appendingPathComponent("stderr.log")) }
        let how = describe(exit.status)
        if exit.dumpedCore, let program = corePattern.pipeProgram {
            tail = (tail ?? []) + ["its core went to '\(program)' (kernel.core_pattern is a pipe); look there"]
        }
        switch exit.cause {
        case .kill:
            return nil  // the nemesis sent SIGKILL; dying by it is the expected outcome
        case .unexpected:
            return Finding("\(exit.node) (pid \(exit.pid)) \(how) at \(format(at))s; nothing chaos did explains it",
                           node: exit.node, time: at, details: tail ?? [])
        case .stop, .shutdown:
            var problem: String?
            // Dying by the SIGTERM chaos sent is a clean stop: it is the default action, and how Go servers such
            // as etcd end after their shutdown handlers ran (they re-raise the signal). Any other signal is not.
            if case .signaled(let signal, _) = exit.status, signal != SIGTERM, !exit.escalated { problem = how }
            if case .exited(let code) = exit.status, code != 0 { problem = how }
            if exit.escalated { problem = "did not exit within its grace period after SIGTERM and was SIGKILLed" }
            guard let problem else { return nil }
            return Finding("crash on shutdown: \(exit.node) (pid \(exit.pid)) \(problem) at \(format(at))s",
                           node: exit.node, time: at, details: tail ?? [])
        }
    }

    private func describe(_ status: NodeExit.Status) -> String {
        switch status {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal, let core):
            "died by signal \(signal) (\(signalName(signal)))" + (core ? ", core dumped" : "")
        }
    }

    private func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
}

/// The conventional name of a Linux signal number.
public func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
        8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
        15: "SIGTERM", 19: "SIGSTOP", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
    ]
    return names[signal] ?? "signal \(signal)"
}

extension NodeExit {
    /// True when the kernel reported a core dump for this exit.
    var dumpedCore: Bool {
        if case .signaled(_, true) = status { return true }
        return false
    }
}
