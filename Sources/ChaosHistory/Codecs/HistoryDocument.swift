/// A history as read from a file, with where each operation came from.
public struct HistoryDocument: Sendable {
    public var history: History
    /// `locations[i]` is where `history.operations[i]` starts in the file.
    public var locations: [SourceLocation]
    /// The file name used in messages.
    public var file: String
    /// Operations the reader left out because they are not client operations (Jepsen `:nemesis` ops).
    public var skipped: Int

    public init(history: History, locations: [SourceLocation], file: String, skipped: Int = 0) {
        self.history = history
        self.locations = locations
        self.file = file
        self.skipped = skipped
    }

    /// A located error about operation `position` of the history (for checkers that reject an operation).
    public func error(at position: Int, _ message: String) -> HistoryError {
        let location = position < locations.count ? locations[position] : SourceLocation(line: 1, column: 1)
        return HistoryError(file: file, line: location.line, column: location.column, message: message)
    }
}
