import ChaosCore
import ChaosHistory
import Foundation

/// The files `chaos check` reads: a history file as given, or a run directory's `history.jsonl` with its
/// `log.jsonl` when the run followed one.
struct RunInputs {
    var history: String
    var log: String?

    init(path: String, log: String?) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let layout = RunLayout(directory: path)
            history = layout.path(.history)
            let own = layout.path(.committedLog)
            self.log = log ?? (FileManager.default.fileExists(atPath: own) ? own : nil)
        } else {
            history = path
            self.log = log
        }
    }
}
