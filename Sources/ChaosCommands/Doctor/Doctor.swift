import ChaosChecker
import ChaosControl
import ChaosCore
import ChaosNemesis
import ChaosNet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `chaos doctor`: what this machine allows, each missing feature with what to do about it.
public enum Doctor {
    struct Finding {
        var feature: String
        var available: Bool
        var detail: String
    }

    /// Prints the table; without root but with user namespaces, then once more from inside one, which is where
    /// `chaos run` would build its lab (see `RootlessLab`).
    public static func run() -> ExitCode {
        let findings = checks()
        let width = findings.map(\.feature.count).max() ?? 10
        var lines = [UserNamespace.isInside
            ? "chaos doctor — inside a user namespace, where an unprivileged chaos builds its lab"
            : "chaos doctor — what this machine allows", ""]
        for finding in findings {
            let mark = finding.available ? "ok     " : "missing"
            lines.append("  \(finding.feature.padding(toLength: width, withPad: " ", startingAt: 0))  \(mark)  "
                         + finding.detail)
        }
        // The kernel features, probed for real in a throw-away namespace (root, userns, netns, qdiscs, ptrace).
        lines += ["", "network and kernel features:"]
        let capabilities = Capabilities.probe()
        lines += capabilities.description.split(separator: "\n").map { "  " + $0 }
        Console.output(lines.joined(separator: "\n"))
        if !Capabilities.privileged, !UserNamespace.isInside, capabilities.has("userns") {
            Console.output("")
            _ = try? UserNamespace.rerun(arguments: CommandLine.arguments)
        }
        return .valid
    }

    static func checks() -> [Finding] {
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let raftNode = try? BinaryLocator.raftNode(configured: nil, log: { _ in })
        let etcd = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return [
            Finding(feature: "kernel", available: true, detail: "Linux \(release) \(machine)"),
            Finding(feature: "process faults", available: true,
                    detail: "kill, stop, pause (signals); pause-thread by signal, or by ptrace (see below)"),
            scheduling(),
            Finding(feature: "code breakpoints", available: CodeStops.architectureSupported,
                    detail: CodeStops.architectureSupported
                        ? "jitter's stop_at: trap instructions written through /proc/PID/mem into traced nodes; needs ptrace (below) and node binaries with symbols"
                        : "jitter's stop_at exists on x86_64 and aarch64 only, not on \(machine)"),
            coreFiles(),
            Finding(feature: "raft-node", available: raftNode != nil,
                    detail: raftNode ?? "not built; run 'swift build --product raft-node' (chaos run builds it)"),
            Finding(feature: "etcd", available: etcd != nil,
                    detail: etcd ?? "not installed; apt-get install -y etcd-server"),
        ] + fuseMounts()
    }

    /// Whether `disk: cached` can mount its FUSE layer, here and (for an unprivileged chaos) in a user namespace.
    static func fuseMounts() -> [Finding] {
        let here = FuseProbe.failure(userNamespace: false)
        var findings = [Finding(feature: "disk layer (FUSE)", available: here == nil,
                                detail: here.map { "a FUSE mount fails (\($0)); \(DiskLayer.remedy)" }
                                    ?? "FUSE mounts work (disk: cached, power-failure, disk-error, disk-latency)")]
        if !UserNamespace.isInside {
            let nested = FuseProbe.failure(userNamespace: true)
            findings.append(Finding(feature: "FUSE in a user ns", available: nested == nil,
                                    detail: nested.map { "refused (\($0)): unprivileged runs cannot use disk: cached" }
                                        ?? "FUSE mounts work inside a user namespace (unprivileged disk: cached)"))
        }
        return findings
    }

    /// What the `jitter` fault may change (and undo) here.
    static func scheduling() -> Finding {
        let answer = SchedulingProbe.run()
        let ok = answer.affinity && answer.lowering
        return Finding(feature: "scheduling faults", available: ok,
                       detail: "jitter: " + answer.detail + (ok ? "; freezes need ptrace (below)" : "; " + answer.remedy))
    }

    /// Where a crashing node's core goes, and whether it may dump one at all (nodes get the hard RLIMIT_CORE).
    static func coreFiles() -> Finding {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        let hard = limit.rlim_max == rlim_t.max ? "unlimited" : "\(limit.rlim_max) bytes"
        let place = CorePattern.current().whereCoresGo
        guard limit.rlim_max != 0 else {
            return Finding(feature: "core files", available: false,
                           detail: "\(place); but the hard RLIMIT_CORE is 0, so nodes cannot dump core: raise it "
                               + "(as root: ulimit -Hc unlimited) before running chaos")
        }
        return Finding(feature: "core files", available: true,
                       detail: "\(place); nodes run with RLIMIT_CORE \(hard) (the hard limit)")
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
