import Foundation

/// The history file formats chaos reads.
public enum HistoryFormat: String, Sendable, CaseIterable {
    /// Decide from the content (`sniff`).
    case auto
    /// chaos's native JSON lines.
    case jsonl
    /// Jepsen EDN: a vector of op maps or a bare sequence of maps (also Porcupine's kv logs).
    case edn
    /// Jepsen console log lines as in Porcupine's etcd tests.
    case etcdLog = "etcd-log"

    /// Guesses the format from the content: a JSON object line, EDN, or a Jepsen console log.
    public static func sniff(_ bytes: [UInt8]) -> HistoryFormat {
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x2C]
        guard let first = bytes.firstIndex(where: { !space.contains($0) }) else { return .edn }
        switch bytes[first] {
        case UInt8(ascii: "{"):
            // `{"` opens a JSON object; EDN op maps open with a keyword (`{:process`).
            let next = bytes[(first + 1)...].firstIndex { !space.contains($0) }
            return next.map { bytes[$0] == UInt8(ascii: "\"") } == true ? .jsonl : .edn
        case UInt8(ascii: "["), UInt8(ascii: "("), UInt8(ascii: ";"), UInt8(ascii: "#"):
            return .edn
        default:
            let isLog = bytes.withUnsafeBufferPointer { buffer in
                PorcupineLogReader.find(PorcupineLogReader.marker, in: buffer, from: 0, to: buffer.count) != nil
            }
            return isLog ? .etcdLog : .edn
        }
    }
}

/// Reads a history file in any supported format.
public enum HistoryReader {
    /// Parses `bytes` in `format` (`auto` sniffs).
    /// - Throws: `HistoryError`, located at the offending line and column.
    public static func read(_ bytes: [UInt8], format: HistoryFormat = .auto, file: String = "<input>")
        throws(HistoryError) -> HistoryDocument
    {
        switch format == .auto ? HistoryFormat.sniff(bytes) : format {
        case .jsonl: try JSONLCodec.decode(bytes, file: file)
        case .etcdLog: try PorcupineLogReader.read(bytes, file: file)
        case .edn, .auto: try JepsenHistoryReader.read(bytes, file: file)
        }
    }

    /// Reads the file at `path`.
    /// - Throws: `HistoryError` (line 1, column 1 when the file cannot be opened).
    public static func read(path: String, format: HistoryFormat = .auto) throws(HistoryError) -> HistoryDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file"
            throw HistoryError(file: path, line: 1, column: 1, message: "\(reason) (check the path and permissions)")
        }
        return try read([UInt8](data), format: format, file: path)
    }
}
