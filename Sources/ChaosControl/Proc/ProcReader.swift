/// Linux /proc readings for the sampler (memory, fds) and the nemesis (threads by name).
///
/// Every reading answers nil or empty when the process is gone or unreadable: a sample of a dead or
/// restarting node is data, not an error.
public enum ProcReader {
    /// The resident set size (`VmRSS` in /proc/PID/status) in bytes.
    public static func rssBytes(pid: Int32) -> Int64? {
        guard let status = ProcFile.read("/proc/\(pid)/status") else {
            return nil
        }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst("VmRSS:".count).split(separator: " ", omittingEmptySubsequences: true)
                .flatMap { $0.split(separator: "\t") }
            guard let value = fields.first.flatMap({ Int64($0) }) else {
                return nil
            }
            let unit = fields.dropFirst().first ?? "kB"
            return unit == "kB" ? value * 1024 : value
        }
        return nil // kernel threads and zombies have no VmRSS
    }

    /// The number of open file descriptors (entries of /proc/PID/fd).
    public static func openFDs(pid: Int32) -> Int? {
        ProcFile.entries("/proc/\(pid)/fd")?.count
    }

    /// Every thread of the process with its name and state, by ascending tid.
    public static func threads(pid: Int32) -> [ThreadInfo] {
        guard let tids = ProcFile.entries("/proc/\(pid)/task") else {
            return []
        }
        return tids.compactMap { Int32($0) }.sorted().compactMap { tid in
            let base = "/proc/\(pid)/task/\(tid)"
            // A thread that exits between the listing and these reads is simply left out.
            guard let comm = ProcFile.read("\(base)/comm"), let stat = ProcFile.read("\(base)/stat"),
                  let state = state(fromStat: stat)
            else {
                return nil
            }
            return ThreadInfo(tid: tid, name: String(comm.dropLast(comm.hasSuffix("\n") ? 1 : 0)), state: state)
        }
    }

    /// The threads whose name is exactly `name` (e.g. a node's log writer).
    public static func threads(pid: Int32, named name: String) -> [ThreadInfo] {
        threads(pid: pid).filter { $0.name == name }
    }

    /// The process state from /proc/PID/stat (`Z` for a zombie), or nil when there is no such process.
    public static func state(pid: Int32) -> Character? {
        ProcFile.read("/proc/\(pid)/stat").flatMap(state(fromStat:))
    }

    /// The parent pid from /proc/PID/stat, or nil when there is no such process.
    public static func parentPID(pid: Int32) -> Int32? {
        guard let stat = ProcFile.read("/proc/\(pid)/stat") else {
            return nil
        }
        return fieldsAfterName(stat).dropFirst().first.flatMap { Int32($0) }
    }

    /// The state letter: the first field after the `(comm)` field. The name may itself hold `)` and spaces,
    /// so the fields start after the *last* `)`.
    static func state(fromStat stat: String) -> Character? {
        fieldsAfterName(stat).first?.first
    }

    private static func fieldsAfterName(_ stat: String) -> [Substring] {
        guard let close = stat.lastIndex(of: ")") else {
            return []
        }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
