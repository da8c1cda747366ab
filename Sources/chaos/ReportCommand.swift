import ArgumentParser
import ChaosCommands
import ChaosCore

/// `chaos report RUN_DIR`: regenerates a run's reports from its files.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate report.html, lag.csv, summary.md and junit.xml of a run directory.",
        discussion: "Reads results.json, history.jsonl, samples.jsonl, events.jsonl and exits.jsonl. Exit status: "
            + "0 written, 3 not a readable run directory, 5 could not write.")

    @Argument(help: "The run directory (e.g. runs/latest).")
    var runDirectory: String

    func run() async throws {
        throw ArgumentParser.ExitCode(RunReport.run(runDirectory: runDirectory))
    }
}

/// `chaos lag RUN_DIR…`: several runs' lag figures side by side.
struct LagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Print several runs' follower lag figures side by side (for nightly trends).",
        discussion: "Uses each run's lag check from results.json, or computes it from samples.jsonl with default "
            + "settings when the run had none.")

    @Argument(help: "Run directories, in the order to print them.")
    var runDirectories: [String]

    @Flag(help: "Print CSV instead of a table.")
    var csv = false

    func validate() throws {
        if runDirectories.isEmpty { throw ValidationError("Give at least one run directory (e.g. runs/latest)") }
    }

    func run() async throws {
        throw ArgumentParser.ExitCode(await LagTrend.run(runDirectories: runDirectories, csv: csv))
    }
}
