import Foundation

/// One committed log entry as a node served it during the run: a line of the run directory's `log.jsonl`.
///
/// The log follower reads each node's committed entries while the run goes (before snapshots compact them)
/// and writes one line per entry and node that said something new about it; the log-informed linearizability
/// check (`LogPatch`) uses them to resolve indeterminate operations. Values are kept as text, the form the
/// systems store them in: a client write of `17` is the entry value `"17"`.
public struct CommittedEntry: Sendable, Hashable, Codable {
    /// What an entry does to its key.
    public enum Op: String, Sendable, Hashable, Codable {
        /// Sets `key` to `value`.
        case put
        /// Sets `key` to `value` when it holds `expected` (a conditional write; whether it matched follows from
        /// replaying the entries before it).
        case cas
        /// An entry that touches no key (a leader's no-op, a configuration change, an append to a plain log).
        case other
        /// Entries `index...through` were compacted away before the follower could read them: the log has a
        /// hole there, so a value missing from it may still have been committed.
        case missing
    }

    public var index: Int64
    public var term: Int64
    /// The node the entry was read from.
    public var node: String
    public var op: Op
    public var key: String?
    public var value: String?
    /// A CAS's expected value.
    public var expected: String?
    /// The last index of a `missing` range.
    public var through: Int64?

    public init(index: Int64, term: Int64, node: String, op: Op, key: String? = nil, value: String? = nil,
                expected: String? = nil, through: Int64? = nil) {
        self.index = index
        self.term = term
        self.node = node
        self.op = op
        self.key = key
        self.value = value
        self.expected = expected
        self.through = through
    }

    /// Whether two readings of the same index say the same thing (the node they came from aside).
    public func agrees(with other: CommittedEntry) -> Bool {
        index == other.index && term == other.term && op == other.op && key == other.key && value == other.value
            && expected == other.expected
    }

    /// `#12 t3 put k1=17 (n2)`, for findings.
    public var text: String {
        let body = switch op {
        case .put: "put \(key ?? "?")=\(value ?? "?")"
        case .cas: "cas \(key ?? "?") \(expected ?? "?")→\(value ?? "?")"
        case .other: "no key"
        case .missing: "compacted through \(through ?? index)"
        }
        return "#\(index) t\(term) \(body) (\(node))"
    }
}

/// Reads and writes `log.jsonl`.
public enum CommittedLog {
    /// One entry and the line it came from, so findings can point into the file.
    public struct Line: Sendable, Hashable {
        public var entry: CommittedEntry
        public var line: Int

        public init(entry: CommittedEntry, line: Int) {
            self.entry = entry
            self.line = line
        }
    }

    /// Reads every line of `path`.
    /// - Throws: `HistoryError` at the first line that is not a log entry, naming the line.
    public static func read(path: String) throws(HistoryError) -> [Line] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HistoryError(file: path, line: 1, column: 1, message: "cannot read the log file")
        }
        return try parse(data, file: path)
    }

    /// Parses JSONL text; blank lines are skipped.
    /// - Throws: `HistoryError` naming the first malformed line and what it lacks.
    public static func parse(_ data: Data, file: String = "<input>") throws(HistoryError) -> [Line] {
        var lines: [Line] = []
        var failure: HistoryError?
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var number = 0
            while start <= bytes.count {
                var stop = start
                if let base = bytes.baseAddress, start < bytes.count,
                   let newline = memchr(base + start, 0x0A, bytes.count - start) {
                    stop = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                } else {
                    stop = bytes.count
                }
                number += 1
                let line = UnsafeBufferPointer(rebasing: bytes[start..<stop])
                start = stop + 1
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                // The follower's own lines are read in place; anything else goes through JSONDecoder, whose
                // errors say what a line lacks.
                if let entry = fastEntry(line) {
                    lines.append(Line(entry: entry, line: number))
                    continue
                }
                do {
                    let entry = try JSONDecoder().decode(CommittedEntry.self, from: Data(line))
                    lines.append(Line(entry: entry, line: number))
                } catch {
                    failure = HistoryError(
                        file: file, line: number, column: 1,
                        message: "not a log entry (\(reason(error))); each line needs "
                            + "{\"index\":…,\"term\":…,\"node\":…,\"op\":\"put|cas|other|missing\"}")
                    return
                }
            }
        }
        if let failure { throw failure }
        return lines
    }

    /// A line as the log follower writes it (a flat object of integers and plain strings), read without
    /// JSONDecoder — which took most of the time of judging a long run; nil for anything else.
    static func fastEntry(_ bytes: UnsafeBufferPointer<UInt8>) -> CommittedEntry? {
        var reader = FlatJSONReader(bytes: bytes, pos: 0, end: bytes.count)
        var index: Int64?, term: Int64?, node: String?, op: CommittedEntry.Op?
        var key: String?, value: String?, expected: String?, through: Int64?
        let read = reader.object { name, reader in
            switch name.count {
            case 2 where FlatJSONReader.equal(name, "op"):
                guard let raw = reader.plainString() else { return false }
                op = FlatJSONReader.equal(raw, "put") ? .put : FlatJSONReader.equal(raw, "cas") ? .cas
                    : FlatJSONReader.equal(raw, "other") ? .other : FlatJSONReader.equal(raw, "missing") ? .missing
                    : nil
                return op != nil
            case 3 where FlatJSONReader.equal(name, "key"): key = reader.plainText(); return key != nil
            case 4 where FlatJSONReader.equal(name, "term"): term = reader.integer(); return term != nil
            case 4 where FlatJSONReader.equal(name, "node"): node = reader.plainText(); return node != nil
            case 5 where FlatJSONReader.equal(name, "index"): index = reader.integer(); return index != nil
            case 5 where FlatJSONReader.equal(name, "value"): value = reader.plainText(); return value != nil
            case 7 where FlatJSONReader.equal(name, "through"): through = reader.integer(); return through != nil
            case 8 where FlatJSONReader.equal(name, "expected"):
                expected = reader.plainText()
                return expected != nil
            default: return false
            }
        }
        guard read, let index, let term, let node, let op else { return nil }
        return CommittedEntry(index: index, term: term, node: node, op: op, key: key, value: value,
                              expected: expected, through: through)
    }

    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "missing '\(key.stringValue)'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted(let context)?:
            context.codingPath.isEmpty ? "not JSON"
                : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' is not valid"
        default: "\(error)"
        }
    }
}
