import Foundation

/// Timestamped lines on stderr: role changes, elections, snapshots, errors. chaos's crash checker reads
/// them, so normal operation never prints words like "panic" or "fatal".
public struct NodeLog: Sendable {
    public let id: String

    public init(id: String) {
        self.id = id
    }

    public func info(_ message: String) { write("INFO", message) }
    public func warn(_ message: String) { write("WARN", message) }
    public func error(_ message: String) { write("ERROR", message) }

    private func write(_ level: String, _ message: String) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tm = tm()
        var secs = ts.tv_sec
        gmtime_r(&secs, &tm)
        let stamp = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, Int(ts.tv_nsec / 1_000_000))
        FileHandle.standardError.write(Data("\(stamp) \(id) \(level) \(message)\n".utf8))
    }
}
