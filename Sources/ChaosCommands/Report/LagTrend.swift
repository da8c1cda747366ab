import ChaosChecker
import ChaosCore
import ChaosHistory
import ChaosReport
import Foundation

/// `chaos lag RUN_DIR…`: several runs' lag figures side by side, for nightly trends.
public enum LagTrend {
    /// One run's figures.
    public struct Row: Sendable, Hashable {
        public var run: String
        public var verdict: String
        public var maxLag: Double
        public var p99Lag: Double
        public var maxBehind: Double
        public var p99Behind: Double
        public var stalls: Double
        public var catchUpMax: Double?
    }

    static let columns = ["run", "lag", "max_lag", "p99_lag", "max_behind_s", "p99_behind_s", "stalls",
                          "max_catch_up_s"]

    /// Reads each run's lag figures: those of its `lag` check in `results.json` when it ran one (with the plan's
    /// settings), otherwise computed from `samples.jsonl` and `events.jsonl` with default settings.
    /// - Throws: `ReportError` for a directory without samples or results.
    public static func row(runDirectory: String) async throws(ReportError) -> Row {
        let directory = RunReport.resolve(runDirectory)
        let layout = RunLayout(directory: directory)
        var result: CheckResult?
        if let data = FileManager.default.contents(atPath: layout.path(.results)),
           let results = try? JSONDecoder().decode(RunResults.self, from: data) {
            result = results.check(.lag)
        }
        if result == nil {
            let samplesPath = layout.path(.samples)
            guard FileManager.default.fileExists(atPath: samplesPath) else {
                throw ReportError(path: samplesPath, "missing; give run directories (runs/<plan>/<time>)")
            }
            let samples = try RunFiles.samples(at: samplesPath)
            let events = try RunFiles.records(NemesisEvent.self, at: layout.path(.events))
            result = await LagChecker().check(CheckInput(history: History(), samples: samples, events: events))
        }
        let m = result ?? CheckResult(name: .lag, verdict: .unknown, summary: "")
        return Row(run: directory, verdict: m.verdict.rawValue, maxLag: m[.lagMaxEntries] ?? 0,
                   p99Lag: m[.lagP99Entries] ?? 0, maxBehind: m[.behindMaxSeconds] ?? 0,
                   p99Behind: m[.behindP99Seconds] ?? 0, stalls: m[.stalls] ?? 0, catchUpMax: m[.catchUpMaxSeconds])
    }

    /// Prints a table (or CSV) of the runs, in the order given.
    /// - Returns: the exit code: 0, or 3 when a directory could not be read (the others are still printed).
    public static func run(runDirectories: [String], csv: Bool) async -> Int32 {
        var rows: [Row] = []
        var failed = false
        for directory in runDirectories {
            do {
                rows.append(try await row(runDirectory: directory))
            } catch {
                FileHandle.standardError.write(Data("chaos lag: \(error.description)\n".utf8))
                failed = true
            }
        }
        print(render(rows, csv: csv), terminator: "")
        return failed ? ExitCode.badInput.rawValue : ExitCode.valid.rawValue
    }

    static func render(_ rows: [Row], csv: Bool) -> String {
        let cells = rows.map { r in
            [r.run, r.verdict, Self.number(r.maxLag), Self.number(r.p99Lag), String(format: "%.2f", r.maxBehind),
             String(format: "%.2f", r.p99Behind), Self.number(r.stalls),
             r.catchUpMax.map { String(format: "%.2f", $0) } ?? "-"]
        }
        if csv {
            return ([columns] + cells).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
        }
        let widths = columns.indices.map { i in ([columns] + cells).map { $0[i].count }.max() ?? 0 }
        return ([columns] + cells).map { row in
            row.enumerated().map { i, cell in
                i == 0 || i == 1 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    private static func number(_ value: Double) -> String { String(Int(value.rounded())) }
}
