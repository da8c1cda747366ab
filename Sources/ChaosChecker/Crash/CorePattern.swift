import Foundation

/// Where the kernel writes a crashing process's core (`/proc/sys/kernel/core_pattern`), and how the crash checker
/// finds a node's: nodes start in their own directory with RLIMIT_CORE raised, so a plain pattern such as `core`
/// puts the file there. A pattern starting with `|` hands cores to a program (systemd-coredump, apport) instead.
public struct CorePattern: Sendable, Hashable {
    /// The pattern as the kernel has it (`core`, `/var/crash/core.%e.%p`, `|/usr/lib/systemd/…`).
    public var pattern: String
    /// `kernel.core_uses_pid`: `.PID` is appended to a pattern that does not name the pid itself.
    public var usesPID: Bool

    public init(pattern: String, usesPID: Bool = false) {
        self.pattern = pattern.isEmpty ? "core" : pattern
        self.usesPID = usesPID
    }

    /// This machine's settings.
    public static func current() -> CorePattern {
        let read = { (path: String) in
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return CorePattern(pattern: read("/proc/sys/kernel/core_pattern"),
                           usesPID: read("/proc/sys/kernel/core_uses_pid") == "1")
    }

    /// The program cores are piped to, when the pattern is a pipe.
    public var pipeProgram: String? {
        guard pattern.hasPrefix("|") else { return nil }
        return pattern.dropFirst().split(separator: " ").first.map(String.init) ?? ""
    }

    /// True when a core's file name tells which process it came from.
    var namesPID: Bool { pattern.contains("%p") || pattern.contains("%P") || usesPID }

    /// One sentence for `chaos doctor` and findings: where a node's core goes.
    public var whereCoresGo: String {
        if let program = pipeProgram {
            return "kernel.core_pattern pipes cores to '\(program)', not to files chaos can find; look there "
                + "(e.g. coredumpctl list, or /var/crash for apport)"
        }
        let directory = (pattern as NSString).deletingLastPathComponent
        let place = pattern.hasPrefix("/") ? "in \(directory.isEmpty ? "/" : directory)"
            : "in the node's directory (nodes/<id>/\(directory.isEmpty ? "" : directory + "/"))"
        return "kernel.core_pattern '\(pattern)'\(usesPID ? " (core_uses_pid 1)" : ""): cores go \(place)"
    }

    /// A core file, and the pid it came from when its name says.
    public struct CoreFile: Sendable, Hashable {
        public var path: String
        public var pid: Int32?
    }

    /// Core files left by a node that ran in `workingDirectory` as any of `pids`. With a relative pattern every
    /// matching file in that directory is the node's; with an absolute one only files whose name carries one of
    /// the pids can be told apart from other processes' cores.
    public func coreFiles(workingDirectory: String, pids: [Int32]) -> [CoreFile] {
        guard pipeProgram == nil else { return [] }
        let absolute = pattern.hasPrefix("/")
        let path = absolute ? pattern : "\(workingDirectory)/\(pattern)"
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard !absolute || namesPID,
              let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let regex = { (pid: Int32?) in
            try? NSRegularExpression(pattern: "^" + Self.expression(name, pid: pid, appendPID: usesPID) + "$")
        }
        let matches = { (regex: NSRegularExpression?, entry: String) in
            regex?.firstMatch(in: entry, range: NSRange(entry.startIndex..., in: entry)) != nil
        }
        let any = regex(nil)
        let byPID = namesPID ? pids.map { ($0, regex($0)) } : []
        var found: [CoreFile] = []
        for entry in entries.sorted() where matches(any, entry) {
            let pid = byPID.first { matches($0.1, entry) }?.0
            var isDirectory: ObjCBool = false
            let file = "\(directory)/\(entry)"
            guard !absolute || pid != nil,
                  FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            found.append(CoreFile(path: file, pid: pid))
        }
        return found
    }

    /// A regular expression for the file names `name` (a pattern's last component) yields: `%p`/`%P` the pid
    /// (any when nil), `%%` a percent sign, other specifiers whatever they may expand to.
    static func expression(_ name: String, pid: Int32?, appendPID: Bool) -> String {
        let pidExpression = pid.map(String.init) ?? "[0-9]+"
        var out = ""
        var namedPID = false
        var characters = name.makeIterator()
        while let c = characters.next() {
            guard c == "%" else {
                out += NSRegularExpression.escapedPattern(for: String(c))
                continue
            }
            switch characters.next() {
            case "p", "P":
                out += pidExpression
                namedPID = true
            case "%": out += "%"
            case "i", "I", "s", "t", "u", "g", "c", "d": out += "[0-9]*"
            case nil: break
            default: out += "[^/]*"
            }
        }
        if appendPID && !namedPID { out += "\\." + pidExpression }
        return out
    }
}
