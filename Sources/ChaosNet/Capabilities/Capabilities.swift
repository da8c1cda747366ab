import CChaosSys
import Foundation

/// What this machine lets chaos do, feature by feature, each missing one with a remedy (`chaos doctor`).
public struct Capabilities: Sendable, Hashable, CustomStringConvertible {
    /// One probed feature.
    public struct Entry: Sendable, Hashable {
        /// Short name: `root`, `netns`, `veth`, `bridge`, `netem`, `htb`, `prio`, `tbf`, `u32`, `ptrace`, …
        public var name: String
        public var available: Bool
        /// What was found (the probe's evidence or error).
        public var detail: String
        /// What to do when it is missing; nil when available.
        public var remedy: String?

        public init(name: String, available: Bool, detail: String, remedy: String?) {
            self.name = name
            self.available = available
            self.detail = detail
            self.remedy = remedy
        }
    }

    public var entries: [Entry]

    /// The entry named `name`, if probed.
    public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

    /// True when `name` was probed and is available.
    public func has(_ name: String) -> Bool { self[name]?.available == true }

    /// Probes every feature; the kernel features in a throw-away network namespace, so the host is untouched.
    public static func probe() -> Capabilities {
        var entries: [Entry] = []
        let capabilities = effectiveCapabilities()
        let netAdmin = capabilities & (1 << 12) != 0
        let sysAdmin = capabilities & (1 << 21) != 0
        entries.append(Entry(
            name: "root", available: privileged,
            detail: "uid \(getuid()), CAP_NET_ADMIN \(netAdmin ? "yes" : "no"), "
                + "CAP_SYS_ADMIN \(sysAdmin ? "yes" : "no")",
            remedy: "run chaos as root (sudo) or grant CAP_NET_ADMIN and CAP_SYS_ADMIN; where user namespaces are "
                + "allowed (userns), chaos builds its lab in one without root; else use network: loopback"))
        entries.append(userNamespaces())
        entries += KernelProbe.run()
        entries.append(PtraceProbe.run(capabilities: capabilities))
        return Capabilities(entries: entries.map { entry in
            var entry = entry
            if entry.available { entry.remedy = nil }
            return entry
        })
    }

    /// Root, or CAP_NET_ADMIN and CAP_SYS_ADMIN: enough to build the lab in the current namespaces.
    public static var privileged: Bool {
        let capabilities = effectiveCapabilities()
        return getuid() == 0 || (capabilities & (1 << 12) != 0 && capabilities & (1 << 21) != 0)
    }

    /// A table for humans: `ok`/`missing`, the name, the evidence, and the remedy.
    public var description: String {
        entries.map { entry in
            let name = entry.name.padding(toLength: 8, withPad: " ", startingAt: 0)
            var line = "\(entry.available ? "ok     " : "missing") \(name) \(entry.detail)"
            if let remedy = entry.remedy { line += "\n        -> \(remedy)" }
            return line
        }.joined(separator: "\n")
    }

    /// Only the ptrace row: what `chaos run` asks before a plan that freezes threads by ptrace starts.
    public static func probePtrace() -> Entry {
        var entry = PtraceProbe.run(capabilities: effectiveCapabilities())
        if entry.available { entry.remedy = nil }
        return entry
    }

    /// CapEff of this process from /proc/self/status.
    static func effectiveCapabilities() -> UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }) else { return 0 }
        return UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
    }

    static func readInt(_ path: String) -> Int? {
        let text = try? String(contentsOfFile: path, encoding: .utf8)
        return text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The sysctls that gate unprivileged user namespaces, and an actual attempt (the only reliable answer:
    /// containers and LSMs refuse in ways no sysctl shows).
    private static func userNamespaces() -> Entry {
        let maximum = readInt("/proc/sys/user/max_user_namespaces")
        let unprivileged = readInt("/proc/sys/kernel/unprivileged_userns_clone")
        let apparmor = readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
        let failure = UserNamespace.attempt()
        let settings = "max_user_namespaces \(maximum.map(String.init) ?? "absent"), unprivileged_userns_clone "
            + "\(unprivileged.map(String.init) ?? "absent"), apparmor_restrict_unprivileged_userns "
            + "\(apparmor.map(String.init) ?? "absent")"
        let used = UserNamespace.isInside ? "this chaos runs in one"
            : getuid() == 0 ? "not needed as root" : "chaos runs its lab in one"
        return Entry(name: "userns", available: failure == nil,
                     detail: "\(settings); \(failure ?? "created a user + network namespace (\(used))")",
                     remedy: "without root, chaos needs user namespaces: sysctl user.max_user_namespaces=10000 "
                         + "kernel.unprivileged_userns_clone=1 kernel.apparmor_restrict_unprivileged_userns=0 "
                         + "(or run as root, or use network: loopback)")
    }
}
