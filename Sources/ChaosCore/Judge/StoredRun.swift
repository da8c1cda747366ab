import ChaosHistory
import ChaosReport
import Foundation

/// What a run directory recorded, read back from its files for the checkers: the history, samples, nemesis
/// events, node exits, the node logs read at the end and the
/// committed log followed during the run.
///
/// The run streams all of these to disk as it goes and keeps none of them in memory, so the run's own judging
/// and `chaos analyze` read the same files the same way. A controller that was SIGKILLed may have left a last
/// line cut short; it is dropped (and counted in `cutLines`), not an error.
public struct StoredRun: Sendable {
    public var directory: String
    /// The history, read again from `history.jsonl` by every checker that needs it (never held whole: a long
    /// run's history is hundreds of MB); empty when the file is missing.
    public var history: HistorySource
    /// Counts and first and last times, from the pass that checked the history could be read.
    public var summary: HistorySummary
    public var samples: [Sample]
    public var events: [NemesisEvent]
    public var exits: [NodeExit]
    /// The node logs read at the end of the run (`node-logs.jsonl`); empty when none were read.
    public var logs: [NodeLog]
    /// The committed log followed during the run (`log.jsonl`); nil when the run followed none.
    public var committedLog: [CommittedLog.Line]?
    /// Set by `chaos analyze` when it leaves out a `log.jsonl` that cannot be trusted to be complete.
    public var unusedCommittedLog = false
    /// Files of the run that are absent (`node-logs.jsonl`, `exits.jsonl`...).
    public var missing: [String]
    /// Files whose last line was cut short and dropped.
    public var cutLines: [String]

    /// The file the run writes the node logs it read at the end into, for `chaos analyze` to compare again.
    public static let nodeLogsFile = RunLayout.File.nodeLogs.rawValue
    /// Files a run writes only for some plans: their absence is no damage.
    public static let optionalFiles: Set<String> = [RunLayout.File.nodeLogs.rawValue,
                                                    RunLayout.File.committedLog.rawValue]

    /// Reads the run directory's record files; each may be missing.
    /// - Throws: `RunError.badInput` naming the file and line that cannot be read.
    public static func read(directory: String) throws(RunError) -> StoredRun {
        var run = StoredRun(directory: directory, history: .memory(History()), summary: HistorySummary(), samples: [], events: [], exits: [], logs: [],
                            missing: [], cutLines: [])
        let layout = RunLayout(directory: directory)
        // The history is the one file that grows with every operation: this pass only checks that it reads and
        // counts it; the checkers read it again as a stream.
        do throws(HistoryError) {
            var summary = HistorySummary()
            let pass = try JSONLFileReader.forEach(path: layout.path(.history)) { summary.add($0) }
            if pass.missing {
                run.missing.append(RunLayout.File.history.rawValue)
            } else {
                run.history = .file(layout.path(.history))
            }
            if pass.cutLine { run.cutLines.append(RunLayout.File.history.rawValue) }
            run.summary = summary
        } catch {
            throw .badInput("\(error.description); the history is damaged or not chaos JSONL")
        }
        do {
            if let bytes = run.bytes(.samples) {
                run.samples = try RunFiles.samples(bytes, path: layout.path(.samples))
            }
            if run.bytes(.events) != nil {
                run.events = try RunFiles.records(NemesisEvent.self, at: layout.path(.events))
            }
            if run.bytes(.exits) != nil {
                run.exits = try RunFiles.records(NodeExit.self, at: layout.path(.exits))
            }
            if run.bytes(.nodeLogs) != nil {
                run.logs = try RunFiles.records(NodeLog.self, at: layout.path(.nodeLogs))
            }
        } catch {
            throw .badInput(error.description)
        }
        if let bytes = run.bytes(.committedLog) {
            do {
                run.committedLog = try CommittedLog.parse(Data(bytes), file: layout.path(.committedLog))
            } catch {
                throw .badInput(error.description)
            }
        }
        return run
    }

    /// The file's complete lines, noting a missing file or a cut last line.
    private mutating func bytes(_ file: RunLayout.File) -> [UInt8]? {
        let name = file.rawValue
        guard let data = FileManager.default.contents(atPath: RunLayout(directory: directory).path(file)) else {
            missing.append(name)
            return nil
        }
        var bytes = [UInt8](data)
        if let last = bytes.lastIndex(of: 0x0A), last != bytes.count - 1 {
            bytes.removeSubrange((last + 1)...)
            cutLines.append(name)
        } else if !bytes.isEmpty && bytes.last != 0x0A {
            bytes = []
            cutLines.append(name)
        }
        return bytes
    }
}
