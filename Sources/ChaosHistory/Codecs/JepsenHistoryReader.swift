/// Reads Jepsen EDN histories: one vector or list of op maps, or a bare sequence of maps (one per line, as in
/// Porcupine's kv logs). `:nemesis` operations are skipped.
public enum JepsenHistoryReader {
    /// Parses `bytes` as an EDN history.
    /// - Parameter file: the name used in error messages.
    /// - Throws: `HistoryError` located at the offending form.
    public static func read(_ bytes: [UInt8], file: String) throws(HistoryError) -> HistoryDocument {
        let result: Result<HistoryDocument, HistoryError> = bytes.withUnsafeBufferPointer { buffer in
            let lines = LineTable(buffer)
            do throws(ParseFailure) {
                return .success(try parse(buffer, lines: lines, file: file))
            } catch {
                let location = lines.location(of: error.offset)
                return .failure(HistoryError(file: file, line: location.line, column: location.column,
                                             message: error.message))
            }
        }
        return try result.get()
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, lines: LineTable, file: String)
        throws(ParseFailure) -> HistoryDocument
    {
        var parser = EDNParser(buffer)
        var operations: [Operation] = []
        var locations: [SourceLocation] = []
        var skipped = 0

        func add(_ form: OperationFields.Form, at offset: Int) throws(ParseFailure) {
            do throws(ParseFailureMessage) {
                if let op = try OperationFields.operation(from: form, ordinal: operations.count + skipped) {
                    operations.append(op)
                    locations.append(lines.location(of: offset))
                } else {
                    skipped += 1
                }
            } catch {
                throw ParseFailure(offset: offset, message: error.message)
            }
        }

        guard try !parser.atEnd() else {
            return HistoryDocument(history: History(), locations: [], file: file)
        }
        let first = buffer[parser.pos]
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "(") {
            // One collection of ops: read its elements one by one so each op keeps its own location.
            let opener = parser.pos
            let close = first == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
            parser.pos += 1
            while true {
                try parser.skipSpace()
                guard parser.pos < parser.end else {
                    throw ParseFailure(offset: opener, message: "unclosed '\(Character(UnicodeScalar(first)))'")
                }
                if buffer[parser.pos] == close {
                    parser.pos += 1
                    break
                }
                let offset = parser.pos
                try add(try parser.readEntry(), at: offset)
            }
            guard try parser.atEnd() else {
                throw ParseFailure(offset: parser.pos, message: "unexpected form after the history's closing bracket")
            }
        } else {
            while try !parser.atEnd() {
                let offset = parser.pos
                try add(try parser.readEntry(), at: offset)
            }
        }
        return HistoryDocument(history: History(operations), locations: locations, file: file, skipped: skipped)
    }
}
