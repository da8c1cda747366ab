import ChaosHistory
import Foundation

/// Exports the finished history in Jepsen's format (`history.edn`) for Jepsen tooling.
enum HistoryExport {
    /// Bytes gathered before each write: the export never holds the whole EDN text (hundreds of MB for a long run).
    static let chunk = 1 << 20

    static func writeEDN(_ history: History, to path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path)
        else {
            Console.status("chaos: could not write \(path)")
            return
        }
        defer { try? file.close() }
        var out = "["
        out.reserveCapacity(chunk + 256)
        for (i, op) in history.operations.enumerated() {
            if i > 0 { out += "\n " }
            EDNWriter.write(op, into: &out)
            if out.utf8.count >= chunk {
                try? file.write(contentsOf: Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        out += "]\n"
        try? file.write(contentsOf: Data(out.utf8))
    }
}
