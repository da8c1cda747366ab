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
        let decoder = JSONDecoder()
        var lines: [Line] = []
        var number = 0
        for slice in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if slice.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                let entry = try decoder.decode(CommittedEntry.self, from: Data(slice))
                lines.append(Line(entry: entry, line: number))
            } catch {
                throw HistoryError(file: file, line: number, column: 1,
                                   message: "not a log entry (\(reason(error))); each line needs "
                                       + "{\"index\":…,\"term\":…,\"node\":…,\"op\":\"put|cas|other|missing\"}")
            }
        }
        return lines
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
