import ChaosHistory

/// Everything a run leaves for the checkers. Offline checks (`chaos check`) fill only `history`.
public struct CheckInput: Sendable {
    /// The run's `history.jsonl` (read as a stream: checkers keep what they conclude, not the operations), or a
    /// history in memory.
    public var history: HistorySource
    public var samples: [Sample]
    public var events: [NemesisEvent]
    public var exits: [NodeExit]
    /// Each node's log digests as read at the end of the run (empty when the system cannot give them).
    public var logs: [NodeLog]
    /// Node id → the directory holding its `stdout.log` and `stderr.log`.
    public var nodeDirectories: [String: String]
    public var nodes: [String]
    /// Length of the run in seconds.
    public var duration: Double
    /// The committed log the run followed (`log.jsonl`), for log-informed linearizability; nil without one.
    public var committedLog: [CommittedLog.Line]? = nil

    public init(
        history: History, samples: [Sample] = [], events: [NemesisEvent] = [], exits: [NodeExit] = [],
        logs: [NodeLog] = [], nodeDirectories: [String: String] = [:], nodes: [String] = [], duration: Double = 0,
        committedLog: [CommittedLog.Line]? = nil
    ) {
        self.init(source: .memory(history), samples: samples, events: events, exits: exits, logs: logs,
                  nodeDirectories: nodeDirectories, nodes: nodes, duration: duration, committedLog: committedLog)
    }

    public init(
        source history: HistorySource, samples: [Sample] = [], events: [NemesisEvent] = [], exits: [NodeExit] = [],
        logs: [NodeLog] = [], nodeDirectories: [String: String] = [:], nodes: [String] = [], duration: Double = 0,
        committedLog: [CommittedLog.Line]? = nil
    ) {
        self.committedLog = committedLog
        self.history = history
        self.samples = samples
        self.events = events
        self.exits = exits
        self.logs = logs
        self.nodeDirectories = nodeDirectories
        self.nodes = nodes
        self.duration = duration
    }
}

/// A checker judges one aspect of a run (Jepsen's `checker`).
public protocol Checker: Sendable {
    /// The name used in plans and in `results.json`: `stats`, `crash`, `linearizable`...
    var name: CheckName { get }
    /// Judges the run. A checker that runs out of time or memory returns `unknown` with the reason.
    func check(_ input: CheckInput) async -> CheckResult
}
