import ChaosHistory

/// The history's events as the report reads them, one pass at a time: already in memory, or read again from a
/// history source (a run's `history.jsonl`) on every pass, so the report of a long run holds none of them.
public enum OpEvents: Sendable {
    case memory([OpEvent])
    case source(HistorySource)

    /// Calls `each` with every event in order.
    /// - Throws: `ReportError` when the history file cannot be read.
    func forEach(_ each: (OpEvent) -> Void) throws(ReportError) {
        switch self {
        case .memory(let events):
            for event in events { each(event) }
        case .source(let source):
            do throws(HistoryError) {
                try source.forEach { each(OpEvent(time: $0.time, process: $0.process, type: $0.type)) }
            } catch {
                throw ReportError(path: error.file, "\(error.description); the history cannot be read")
            }
        }
    }

    /// The events in memory: for tests and small histories.
    public func load() throws(ReportError) -> [OpEvent] {
        if case .memory(let events) = self { return events }
        var events: [OpEvent] = []
        try forEach { events.append($0) }
        return events
    }
}
