import ChaosHistory
import Foundation

/// Exports the finished history in Jepsen's format (`history.edn`) for Jepsen tooling.
enum HistoryExport {
    /// Bytes gathered before each write: the export never holds the whole EDN text (hundreds of MB for a long run).
    static let chunk = 1 << 20

    /// Reads `history` as a stream: the export holds neither the operations nor the whole text.
    static func writeEDN(_ history: HistorySource, to path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path)
        else {
            Console.status("chaos: could not write \(path)")
            return
        }
        defer { try? file.close() }
        var out = "["
        out.reserveCapacity(chunk + 256)
        var first = true
        do throws(HistoryError) {
            try history.forEach { op in
                if !first { out += "\n " }
                first = false
                EDNWriter.write(op, into: &out)
                if out.utf8.count >= chunk {
                    try? file.write(contentsOf: Data(out.utf8))
                    out.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            Console.status("chaos: could not write \(path): \(error)")
        }
        out += "]\n"
        try? file.write(contentsOf: Data(out.utf8))
    }
}
