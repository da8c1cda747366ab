/// Where checkers and reports read a history from: memory (offline checks of small files, tests) or a chaos
/// JSONL file read again on every pass.
///
/// A run's `history.jsonl` grows with every operation (a 24-hour soak holds tens of millions), so judging reads
/// it as a stream: each checker keeps only what it concludes from (counts, open calls per process, the
/// linearizability checker's compact calls), never the operations themselves.
public enum HistorySource: Sendable {
    case memory(History)
    /// A chaos JSONL history (`history.jsonl`); a last line cut short is left out, as `JSONLFileReader` does.
    case file(String)

    /// Calls `each` with every operation in order, the position in the history given as `index`.
    /// - Throws: `HistoryError` when the file cannot be read as chaos JSONL.
    public func forEach(_ each: (Operation) -> Void) throws(HistoryError) {
        switch self {
        case .memory(let history):
            for op in history.operations { each(op) }
        case .file(let path):
            let observe = Self.observer
            var read = 0
            let pass = try JSONLFileReader.forEach(path: path) { op in
                each(op)
                read += 1
                if read % Self.observeEvery == 0, let observe { observe(read) }
            }
            if pass.missing {
                throw HistoryError(file: path, line: 1, column: 1, message: "cannot be opened")
            }
        }
    }

    /// Called every `observeEvery` operations of a file pass with the count read so far, while the reader's
    /// caller holds whatever it keeps: lets a test measure what a streaming reader retains mid-pass.
    @TaskLocal public static var observer: (@Sendable (Int) -> Void)?
    public static let observeEvery = 4096
}

/// What one streaming pass over a history learns that readers need before or without another pass: counts by
/// type and the first and last times.
public struct HistorySummary: Sendable, Hashable {
    public var count = 0
    public var ops = OpCounts()
    /// Time of the first and of the last operation (in file order); nil for an empty history.
    public var firstTime: Int64?
    public var lastTime: Int64?

    public init() {}

    public mutating func add(_ op: Operation) {
        count += 1
        ops.add(op.type)
        if firstTime == nil { firstTime = op.time }
        lastTime = op.time
    }

    /// One pass over `source`.
    /// - Throws: `HistoryError` when the file cannot be read.
    public init(_ source: HistorySource) throws(HistoryError) {
        var summary = HistorySummary()
        try source.forEach { summary.add($0) }
        self = summary
    }
}
