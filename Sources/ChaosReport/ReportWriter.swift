import ChaosChecker
import ChaosHistory
import Foundation

/// Writes every report of a run directory from its files: `report.html`, `lag.csv`, `summary.md`, `junit.xml`.
public enum ReportWriter {
    /// Reads the run directory and (re)writes its reports.
    ///
    /// - Returns: the paths written.
    /// - Throws: `ReportError` when `results.json` is missing or a record file is damaged, or a report cannot
    ///   be written.
    @discardableResult
    public static func writeAll(runDirectory: String) throws(ReportError) -> [String] {
        try writeAll(RunFiles.read(runDirectory: runDirectory))
    }

    /// Writes the reports of a run already read (the runner has everything in memory at the end of a run).
    @discardableResult
    public static func writeAll(_ files: RunFiles) throws(ReportError) -> [String] {
        let directory = files.directory
        let series = try RunSeries(files)
        let outputs: [(RunLayout.File, String)] = [
            (.report, HTMLReport.render(files, series: series)),
            (.lagCSV, LagCSV.render(series.lag)),
            (.summary, SummaryWriter.render(files.results, runDirectory: directory)),
            (.junit, JUnitWriter.render(files.results)),
        ]
        var written: [String] = []
        for (file, text) in outputs {
            let path = RunLayout(directory: directory).path(file)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ReportError(.unwritable, path: path, "could not be written (\(error.localizedDescription)); "
                    + "check that the run directory is writable")
            }
            written.append(path)
        }
        return written
    }
}
