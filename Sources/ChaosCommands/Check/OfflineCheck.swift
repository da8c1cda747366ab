import ChaosChecker
import ChaosCore
import ChaosHistory
import ChaosReport
import Foundation

/// `chaos check FILE --model M`: reads a recorded history and judges it for linearizability.
public enum OfflineCheck {
    public struct Options: Sendable {
        public var path: String
        public var model: String
        public var format: String
        public var timeLimit: Duration
        public var json: Bool
        public var registersStartAbsent: Bool
        /// Resident bytes the process may hold while searching; nil = half the machine, at most 8 GiB.
        public var memoryLimit: Int?
        /// The committed log (`log.jsonl`) for log-informed checking; a run directory's own is used when nil.
        public var log: String?
        /// Where to write the counterexample timeline (HTML); nil: none.
        public var html: String?

        public init(path: String, model: String, format: String = "auto", timeLimit: Duration = .seconds(60),
                    json: Bool = false, registersStartAbsent: Bool = false,
                    memoryLimit: Int? = nil, log: String? = nil, html: String? = nil) {
            self.memoryLimit = memoryLimit
            self.registersStartAbsent = registersStartAbsent
            self.log = log
            self.html = html
            self.path = path
            self.model = model
            self.format = format
            self.timeLimit = timeLimit
            self.json = json
        }
    }

    /// Runs the check, printing the verdict (and a counterexample) to stdout and input errors to stderr.
    /// - Returns: the process exit code: 0 valid, 1 invalid, 2 unknown, 3 bad input.
    public static func run(_ options: Options) -> Int32 {
        guard let format = HistoryFormat(rawValue: options.format) else {
            let known = HistoryFormat.allCases.map(\.rawValue).joined(separator: ", ")
            return fail("unknown format '\(options.format)' (known: \(known))")
        }
        guard let model = ModelName(rawValue: options.model) else {
            return fail("unknown model '\(options.model)' (known: \(ModelName.known))")
        }
        // A run directory stands for its history.jsonl, and its log.jsonl when it has one.
        let input = RunInputs(path: options.path, log: options.log)
        let document: HistoryDocument
        let log: [CommittedLog.Line]?
        do {
            document = try HistoryReader.read(path: input.history, format: format)
            log = try input.log.map { path throws(HistoryError) in try CommittedLog.read(path: path) }
        } catch {
            return fail("\(error)")
        }
        let report: LinearizabilityReport
        do {
            report = try Linearizability.check(document.history, model: model, timeLimit: options.timeLimit,
                                               memoryLimit: options.memoryLimit ?? Linearizability.defaultMemoryLimit,
                                               registersStartAbsent: options.registersStartAbsent, log: log)
        } catch {
            if let position = error.operation {
                return fail(document.error(at: position, error.message).description)
            }
            return fail("\(options.path): \(error.message)")
        }
        if let html = options.html {
            do {
                try CounterexamplePage.html(report, title: options.path)
                    .write(toFile: html, atomically: true, encoding: .utf8)
            } catch {
                return fail("cannot write \(html): \(error.localizedDescription)")
            }
        }
        if options.json {
            print(json(report, file: options.path))
        } else {
            print(text(report, file: options.path))
        }
        return switch report.verdict {
        case .valid: ExitCode.valid.rawValue
        case .invalid: ExitCode.invalid.rawValue
        case .unknown: ExitCode.unknown.rawValue
        }
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("chaos check: \(message)\n".utf8))
        return ExitCode.badInput.rawValue
    }

    static func text(_ report: LinearizabilityReport, file: String) -> String {
        var lines = ["\(file): \(report.verdict.rawValue) — \(report.summary)"]
        if let c = report.counterexample { lines += c.lines() }
        for finding in report.log?.findings.prefix(20) ?? [] {
            lines.append("  ✗ \(finding.message)" + (finding.line.map { " (log line \($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: LinearizabilityReport, file: String) -> String {
        var result = LinearizabilityChecker.result(report)
        result.summary = "\(file): \(report.summary)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
