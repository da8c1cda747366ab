import ChaosChecker
import ChaosHistory
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

        public init(path: String, model: String, format: String = "auto", timeLimit: Duration = .seconds(60),
                    json: Bool = false, registersStartAbsent: Bool = false,
                    memoryLimit: Int? = nil) {
            self.memoryLimit = memoryLimit
            self.registersStartAbsent = registersStartAbsent
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
        guard Linearizability.models.contains(options.model) else {
            return fail("unknown model '\(options.model)' (known: \(Linearizability.models.joined(separator: ", ")))")
        }
        let document: HistoryDocument
        do {
            document = try HistoryReader.read(path: options.path, format: format)
        } catch {
            return fail("\(error)")
        }
        let report: LinearizabilityReport
        do {
            report = try Linearizability.check(document.history, model: options.model, timeLimit: options.timeLimit,
                                               memoryLimit: options.memoryLimit ?? Linearizability.defaultMemoryLimit,
                                               registersStartAbsent: options.registersStartAbsent)
        } catch {
            if let position = error.operation {
                return fail(document.error(at: position, error.message).description)
            }
            return fail("\(options.path): \(error.message)")
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
