import Foundation
import ChaosHistory

/// The part of a history event the report draws from: when, which process, and what kind.
public struct OpEvent: Sendable, Hashable {
    public var time: Int64
    public var process: Int
    public var type: OpType

    public init(time: Int64, process: Int, type: OpType) {
        self.time = time
        self.process = process
        self.type = type
    }

    /// The events of a history in memory.
    public static func events(of history: History) -> [OpEvent] {
        history.operations.map { OpEvent(time: $0.time, process: $0.process, type: $0.type) }
    }

    /// `history.jsonl` read for the report: only `time`, `process` and `type` of each line, skipping values. Lines
    /// whose process is not an integer (a nemesis entry in a converted Jepsen history) are left out, as
    /// `JSONLCodec` does.
    static func read(_ bytes: [UInt8], path: String, firstLine: Int = 1, lastMayBeCut: Bool = true)
        throws(ReportError) -> [OpEvent] {
        try scanLines(bytes, path: path, firstLine: firstLine, lastMayBeCut: lastMayBeCut) { (scanner: inout FlatJSONScanner) throws(FlatJSONScanner.Failure) in
            var time: Int64?, process: Int64?, type: OpType?, processKind = FlatJSONScanner.Kind.null
            let start = scanner.pos
            let reader = scanner  // the same bytes, for reading values while `scanner` moves on
            try scanner.fields { (key, kind, range, escaped) throws(FlatJSONScanner.Failure) in
                switch key {
                case "time": time = kind == .number ? reader.integer(range) : nil
                case "process":
                    processKind = kind
                    process = kind == .number ? reader.integer(range) : nil
                case "type":
                    let name = kind == .string ? reader.text(range, escaped: escaped) : ""
                    guard let known = OpType(rawValue: name) else {
                        throw FlatJSONScanner.Failure(offset: range.lowerBound, message: "unknown type '\(name)' "
                            + "(expected invoke, ok, fail or info)")
                    }
                    type = known
                default: break
                }
            }
            if processKind != .number && processKind != .null { return nil }
            guard let time, let process, let type else {
                throw FlatJSONScanner.Failure(offset: start, message: "an operation needs time, process and type")
            }
            return OpEvent(time: time, process: Int(process), type: type)
        }
    }

    /// `history.jsonl` read as `read(_:path:)` does, a chunk of complete lines at a time, handing each event on:
    /// the file is never held whole. A missing file has no events; a last line without its newline is left out.
    /// - Throws: `ReportError` naming the line that is not an operation.
    static func scan(path: String, chunk: Int = 4 << 20, _ each: (OpEvent) -> Void) throws(ReportError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var line = 1
        while let data = try? handle.read(upToCount: chunk), !data.isEmpty {
            pending.append(contentsOf: data)
            guard let last = pending.lastIndex(of: 0x0A) else { continue }
            let complete = Array(pending[...last])
            pending.removeSubrange(...last)
            // Complete lines: only a last line without its newline (never handed here) may be cut short.
            for event in try read(complete, path: path, firstLine: line, lastMayBeCut: false) { each(event) }
            line += complete.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        }
    }
}
