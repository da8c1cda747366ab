/// Linux /proc readings for the sampler (memory, fds) and the nemesis (threads by name).
///
/// Every reading answers nil or empty when the process is gone or unreadable: a sample of a dead or
/// restarting node is data, not an error.
public enum ProcReader {
    /// The resident set size (`VmRSS` in /proc/PID/status) in bytes.
    public static func rssBytes(pid: Int32) -> Int64? {
        guard let fields = statusFields(pid: pid, key: "VmRSS"), let value = fields.first.flatMap({ Int64($0) }) else {
            return nil // also kernel threads and zombies, which have no VmRSS
        }
        return fields.dropFirst().first == "kB" ? value * 1024 : value
    }

    /// The number of threads (`Threads` in /proc/PID/status): one read, cheap enough to sample every 100 ms,
    /// unlike `threads(pid:)` which reads two files per thread.
    public static func threadCount(pid: Int32) -> Int? {
        statusFields(pid: pid, key: "Threads")?.first.flatMap { Int($0) }
    }

    /// The resident set and the thread count from one read of /proc/PID/status (the sampler wants both every
    /// 100 ms; two reads were two opens and two parses).
    public static func memoryAndThreads(pid: Int32) -> (rssBytes: Int64?, threads: Int?) {
        guard let status = ProcFile.read("/proc/\(pid)/status") else { return (nil, nil) }
        var rss: Int64?
        var threads: Int?
        let vmRSS = Array("VmRSS:".utf8), count = Array("Threads:".utf8)
        for line in status.utf8.split(separator: UInt8(ascii: "\n")) {
            if line.starts(with: vmRSS) {
                let fields = Substring(line.dropFirst(vmRSS.count)).split(whereSeparator: \.isWhitespace)
                if let value = fields.first.flatMap({ Int64($0) }) {
                    rss = fields.dropFirst().first == "kB" ? value * 1024 : value
                }
            } else if line.starts(with: count) {
                threads = Substring(line.dropFirst(count.count)).split(whereSeparator: \.isWhitespace).first
                    .flatMap { Int($0) }
                break  // Threads comes after VmRSS
            }
        }
        return (rss, threads)
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

    /// The whitespace-separated fields after `key:` in /proc/PID/status, e.g. `["1234", "kB"]`.
    private static func statusFields(pid: Int32, key: String) -> [Substring]? {
        guard let status = ProcFile.read("/proc/\(pid)/status") else {
            return nil
        }
        // Lines are found on the UTF-8 bytes: splitting the whole file into Characters cost the sampler more than
        // the read itself (it does this for every node every 100 ms).
        let prefix = Array((key + ":").utf8)
        for line in status.utf8.split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix) {
            return Substring(line.dropFirst(prefix.count)).split(whereSeparator: \.isWhitespace)
        }
        return nil
    }

    private static func fieldsAfterName(_ stat: String) -> [Substring] {
        guard let close = stat.lastIndex(of: ")") else {
            return []
        }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
