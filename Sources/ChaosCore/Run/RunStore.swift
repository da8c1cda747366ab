import ChaosHistory
import Foundation

/// The run directory: `runs/<plan>/<UTC timestamp>/` with every artifact of one run, and `runs/latest`
/// pointing at it. Each stage writes its own file here as it goes.
public struct RunStore: Sendable {
    public let root: String
    public let directory: String

    /// Creates a fresh run directory under `root` (default `runs`).
    /// - Throws: when the directory cannot be created.
    public init(root: String, plan: String, startedAt: Date) throws {
        let stamp = Self.stamp(startedAt)
        var directory = "\(root)/\(plan)/\(stamp)"
        var attempt = 1
        while FileManager.default.fileExists(atPath: directory) {
            attempt += 1
            directory = "\(root)/\(plan)/\(stamp)-\(attempt)"
        }
        try FileManager.default.createDirectory(atPath: "\(directory)/nodes", withIntermediateDirectories: true)
        self.root = root
        self.directory = directory
        let latest = "\(root)/latest"
        try? FileManager.default.removeItem(atPath: latest)
        let relative = String(directory.dropFirst(root.count + 1))
        try? FileManager.default.createSymbolicLink(atPath: latest, withDestinationPath: relative)
    }

    /// The names of the files this run writes.
    public var layout: RunLayout { RunLayout(directory: directory) }
    public func path(_ file: RunLayout.File) -> String { layout.path(file) }

    public var nodes: String { layout.nodes }
    public var plan: String { path(.plan) }
    public var history: String { path(.history) }
    public var historyEDN: String { path(.historyEDN) }
    public var events: String { path(.events) }
    public var samples: String { path(.samples) }
    public var exits: String { path(.exits) }
    public var results: String { path(.results) }
    public var summary: String { path(.summary) }
    public var junit: String { path(.junit) }

    /// `2026-11-21T22-41-07Z`: sortable, and free of characters that upset shells or Windows unzips.
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss'Z'"
        return formatter.string(from: date)
    }
}
