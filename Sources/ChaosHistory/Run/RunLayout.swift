/// The files of a run directory, named once for the writer (`RunStore`) and every reader (reports, `chaos lag`,
/// offline checks).
public struct RunLayout: Sendable, Hashable {
    /// One artifact of a run, by its file name.
    public enum File: String, Sendable, CaseIterable {
        /// The plan as run: defaults filled in, seed set.
        case plan = "plan.yaml"
        case history = "history.jsonl"
        case historyEDN = "history.edn"
        case events = "events.jsonl"
        case samples = "samples.jsonl"
        case exits = "exits.jsonl"
        /// The node logs read at the end of the run, for `chaos analyze` to compare again.
        case nodeLogs = "node-logs.jsonl"
        /// Every node's committed log entries, followed during a run that checks linearizability.
        case committedLog = "log.jsonl"
        case results = "results.json"
        case summary = "summary.md"
        case junit = "junit.xml"
        case report = "report.html"
        case lagCSV = "lag.csv"
    }

    /// The run directory, without a trailing slash.
    public let directory: String

    public init(directory: String) {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
    }

    /// The path of `file` in this run.
    public func path(_ file: File) -> String { "\(directory)/\(file.rawValue)" }

    /// `nodes/`: one folder per node with its logs and data.
    public var nodes: String { "\(directory)/nodes" }

    /// `nodes/<id>/`.
    public func node(_ id: String) -> String { "\(nodes)/\(id)" }
}
