/// Reads Jepsen's console log as Porcupine's etcd tests use it: lines such as
/// `INFO  jepsen.util - 12	:invoke	:cas	[1 4]`. Lines without `jepsen.util - ` are noise and skipped.
///
/// Times are the line numbers (the log has none); an invocation with no completion stays open (Jepsen's `info`).
public enum PorcupineLogReader {
    static let marker = Array("jepsen.util - ".utf8)

    /// Parses an etcd log.
    /// - Throws: `HistoryError` at a malformed operation line.
    public static func read(_ bytes: [UInt8], file: String) throws(HistoryError) -> HistoryDocument {
        var operations: [Operation] = []
        var locations: [SourceLocation] = []
        var skipped = 0
        var line = 1
        var start = 0
        let failure: HistoryError? = bytes.withUnsafeBufferPointer { buffer in
            while start < buffer.count {
                var stop = start
                while stop < buffer.count && buffer[stop] != 0x0A { stop += 1 }
                defer {
                    line += 1
                    start = stop + 1
                }
                guard let body = find(marker, in: buffer, from: start, to: stop) else { continue }
                var parser = EDNParser(buffer, from: body, to: stop)
                do throws(ParseFailure) {
                    // Only `PROCESS :type :f value` lines are operations; other `jepsen.util` lines are noise.
                    guard case .int(let p) = try? parser.readForm() else {
                        skipped += 1
                        continue
                    }
                    try parser.skipSpace()
                    let typeOffset = parser.pos
                    let type = try parser.readForm()
                    try parser.skipSpace()
                    let fOffset = parser.pos
                    let f = try parser.readForm()
                    let value: Value = try parser.atEnd() ? .null : try parser.readForm()
                    guard try parser.atEnd() else {
                        throw ParseFailure(offset: parser.pos, message: "unexpected text after the operation's value")
                    }
                    guard let typeName = type.stringValue, let opType = OpType(rawValue: typeName) else {
                        throw ParseFailure(offset: typeOffset, message:
                            "unknown operation type '\(EDNWriter.text(type))' (expected :invoke, :ok, :fail or :info)")
                    }
                    guard let fName = f.stringValue else {
                        throw ParseFailure(offset: fOffset, message: "expected a function keyword such as :read")
                    }
                    var op = Operation(index: operations.count, time: Int64(line), process: Int(truncatingIfNeeded: p),
                                       type: opType, f: fName, value: value)
                    // A timed-out completion carries the reason where the value would be.
                    if opType != .invoke, case .keyword(let reason) = value {
                        op.error = reason
                        op.value = .null
                    }
                    operations.append(op)
                    locations.append(SourceLocation(line: line, column: body - start + 1))
                } catch {
                    return HistoryError(file: file, line: line, column: error.offset - start + 1,
                                        message: error.message)
                }
            }
            return nil
        }
        if let failure { throw failure }
        return HistoryDocument(history: History(operations), locations: locations, file: file, skipped: skipped)
    }

    /// The offset just after `needle` in `buffer[from..<to]`, if it occurs.
    static func find(_ needle: [UInt8], in buffer: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= to {
            if buffer[i] == needle[0] {
                var j = 1
                while j < needle.count && buffer[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i + needle.count }
            }
            i += 1
        }
        return nil
    }
}
