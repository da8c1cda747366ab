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

    public static func run() -> ExitCode {
        let findings = checks()
        let width = findings.map(\.feature.count).max() ?? 10
        var lines = ["chaos doctor — what this machine allows", ""]
        for finding in findings {
            let mark = finding.available ? "ok     " : "missing"
            lines.append("  \(finding.feature.padding(toLength: width, withPad: " ", startingAt: 0))  \(mark)  "
                         + finding.detail)
        }
        Console.output(lines.joined(separator: "\n"))
        return .valid
    }

    static func checks() -> [Finding] {
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let root = geteuid() == 0
        let ptraceScope = read("/proc/sys/kernel/yama/ptrace_scope").flatMap { Int($0) }
        let userNamespaces = read("/proc/sys/user/max_user_namespaces").flatMap { Int($0) } ?? 0
        let raftNode = try? BinaryLocator.raftNode(configured: nil, log: { _ in })
        let etcd = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return [
            Finding(feature: "kernel", available: true, detail: "Linux \(release) \(machine)"),
            Finding(feature: "root", available: root,
                    detail: root ? "running as root" : "not root: network faults need root or a user namespace"),
            Finding(feature: "user namespaces", available: userNamespaces > 0,
                    detail: userNamespaces > 0 ? "max_user_namespaces = \(userNamespaces)"
                        : "disabled; set sysctl user.max_user_namespaces > 0"),
            Finding(feature: "ptrace", available: root || (ptraceScope ?? 0) <= 1,
                    detail: ptraceScope.map { "yama ptrace_scope = \($0)" + ($0 >= 2 && !root
                        ? "; run as root or set kernel.yama.ptrace_scope=1" : "") } ?? "no yama restrictions"),
            Finding(feature: "process faults", available: true, detail: "kill, stop, pause (signals)"),
            Finding(feature: "raft-node", available: raftNode != nil,
                    detail: raftNode ?? "not built; run 'swift build --product raft-node' (chaos run builds it)"),
            Finding(feature: "etcd", available: etcd != nil,
                    detail: etcd ?? "not installed; apt-get install -y etcd-server"),
        ]
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
