import ChaosHistory
import Foundation

/// Exports the finished history in Jepsen's format (`history.edn`) for Jepsen tooling.
enum HistoryExport {
    static func writeEDN(_ history: History, to path: String) {
        let text = EDNWriter.history(history)
        if !FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) {
            Console.status("chaos: could not write \(path)")
        }
    }
}
