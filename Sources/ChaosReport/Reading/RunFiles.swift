import ChaosChecker
import ChaosHistory
import Foundation

/// What a run directory holds, read back from its files: the inputs of the reports.
public struct RunFiles: Sendable {
    public var directory: String
    public var results: RunResults
    /// The history's events, as far as the report needs them (read again from the file on each pass when the
    /// files are a run being judged).
    public var ops: OpEvents
    /// The time of the history's last event when already known (judging counted it), saving the report a pass.
    public var lastOpTime: Int64?
    public var samples: [Sample]
    public var events: [NemesisEvent]
    public var exits: [NodeExit]

    public init(directory: String, results: RunResults, history: History = History(), samples: [Sample] = [],
                events: [NemesisEvent] = [], exits: [NodeExit] = []) {
        self.init(directory: directory, results: results, source: .memory(history), samples: samples,
                  events: events, exits: exits)
    }

    /// The files of a run whose history is read as a stream (`HistorySource.file`), as judging hands them on.
    public init(directory: String, results: RunResults, source: HistorySource, samples: [Sample] = [],
                events: [NemesisEvent] = [], exits: [NodeExit] = []) {
        self.directory = directory
        self.results = results
        switch source {
        case .memory(let history): self.ops = .memory(OpEvent.events(of: history))
        case .file(let path): self.ops = .file(path)
        }
        self.samples = samples
        self.events = events
        self.exits = exits
    }

    /// Reads `results.json` (required) and `history.jsonl`, `samples.jsonl`, `events.jsonl`, `exits.jsonl` (each
    /// may be missing: an interrupted run leaves what it saw).
    /// - Throws: `ReportError` naming the file that is missing or malformed.
    public static func read(runDirectory directory: String) throws(ReportError) -> RunFiles {
        let layout = RunLayout(directory: directory)
        let resultsPath = layout.path(.results)
        guard let data = FileManager.default.contents(atPath: resultsPath) else {
            let exists = FileManager.default.fileExists(atPath: directory)
            throw ReportError(path: resultsPath, exists
                ? "missing; is this a run directory that finished? (chaos run writes it at the end)"
                : "no such run directory; give a path like runs/latest")
        }
        let results: RunResults
        do {
            results = try JSONDecoder().decode(RunResults.self, from: data)
        } catch {
            throw ReportError(path: resultsPath, "is not chaos results (schema 1): \(error)")
        }
        var files = RunFiles(directory: directory, results: results)
        let historyPath = layout.path(.history)
        // Scanned from the file on each pass (as when a run writes its own report): a long run's report holds
        // none of its operations.
        if FileManager.default.fileExists(atPath: historyPath) { files.ops = .file(historyPath) }
        let samplesPath = layout.path(.samples)
        if let bytes = FileManager.default.contents(atPath: samplesPath) {
            files.samples = try SampleLines.read([UInt8](bytes), path: samplesPath)
        }
        files.events = try records(NemesisEvent.self, at: layout.path(.events))
        files.exits = try records(NodeExit.self, at: layout.path(.exits))
        return files
    }

    /// `samples.jsonl`, read fast; a missing file is no samples.
    public static func samples(at path: String) throws(ReportError) -> [Sample] {
        guard let bytes = FileManager.default.contents(atPath: path) else { return [] }
        return try SampleLines.read([UInt8](bytes), path: path)
    }

    /// `samples.jsonl` bytes already read, read fast.
    public static func samples(_ bytes: [UInt8], path: String) throws(ReportError) -> [Sample] {
        try SampleLines.read(bytes, path: path)
    }

    /// One JSON object per line; a missing file is no records. The lines are decoded as one array, which is
    /// several times faster than a decoder call per line.
    public static func records<T: Decodable>(_ type: T.Type, at path: String) throws(ReportError) -> [T] {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [] }
        var array = Data()
        array.reserveCapacity(data.count + 2)
        array.append(UInt8(ascii: "["))
        var first = true
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            if !first { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: line)
            first = false
        }
        array.append(UInt8(ascii: "]"))
        do {
            return try JSONDecoder().decode([T].self, from: array)
        } catch {
            // Line by line: the batch error does not say which line is bad, and a run that was killed may have
            // left its last line cut short, which is no reason to refuse the rest.
            let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let lastFilled = lines.lastIndex { !$0.isEmpty }
            var records: [T] = []
            for (number, line) in lines.enumerated() where !line.isEmpty {
                if let record = try? JSONDecoder().decode(T.self, from: Data(line)) {
                    records.append(record)
                } else if number != lastFilled {
                    throw ReportError(path: "\(path):\(number + 1)", "not a \(T.self) record; the file may be "
                        + "damaged or written by another version of chaos")
                }
            }
            return records
        }
    }
}
