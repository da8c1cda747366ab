import ChaosCore
import ChaosReport
import Foundation

/// `chaos report RUN_DIR`: rewrites a run directory's reports from its files.
public enum RunReport {
    /// Regenerates `report.html`, `lag.csv`, `summary.md` and `junit.xml`, printing each path written.
    /// - Returns: the exit code: 0 when written, 3 when the directory is not a readable run, 5 on a write failure.
    public static func run(runDirectory: String) -> Int32 {
        let directory = resolve(runDirectory)
        do {
            for path in try ReportWriter.writeAll(runDirectory: directory) { print(path) }
            return ExitCode.valid.rawValue
        } catch {
            FileHandle.standardError.write(Data("chaos report: \(error.description)\n".utf8))
            return (error.kind == .unwritable ? ExitCode.internalError : ExitCode.badInput).rawValue
        }
    }

    /// The directory without trailing slashes, so paths printed and written read cleanly.
    static func resolve(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
