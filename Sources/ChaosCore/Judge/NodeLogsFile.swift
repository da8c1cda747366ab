import ChaosHistory
import Foundation

/// `node-logs.jsonl`: the node logs the run read at its end (one `NodeLog` per line), kept so that
/// `chaos analyze` can compare the replicas again; a run that never read them leaves none.
enum NodeLogsFile {
    /// - Throws: `RunError.internal` when the file cannot be written.
    static func write(_ logs: [NodeLog], to path: String) throws(RunError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        do {
            for log in logs {
                data.append(try encoder.encode(log))
                data.append(UInt8(ascii: "\n"))
            }
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .internal("\(path): could not be written (\(error.localizedDescription))")
        }
    }
}
