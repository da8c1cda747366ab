import ChaosHistory

/// The history's events as the report reads them, one pass at a time: already in memory, or scanned again from
/// a run's `history.jsonl` on every pass, so the report of a long run holds none of them.
public enum OpEvents: Sendable {
    case memory([OpEvent])
    /// A chaos JSONL history scanned for `time`, `process` and `type` only (values skipped: several times
    /// faster than decoding each operation).
    case file(String)

    /// Calls `each` with every event in order.
    /// - Throws: `ReportError` when the history file cannot be read.
    func forEach(_ each: (OpEvent) -> Void) throws(ReportError) {
        switch self {
        case .memory(let events):
            for event in events { each(event) }
        case .file(let path):
            try OpEvent.scan(path: path, each)
        }
    }
}
