import ArgumentParser
import ChaosCommands
import ChaosCore

/// `chaos analyze RUN_DIR`: judges a stored run directory again.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Judge a stored run directory again: finished, interrupted, or left by a controller that died.",
        discussion: """
            Reads plan.yaml, history.jsonl, samples.jsonl, events.jsonl, exits.jsonl and node-logs.jsonl (each \
            but plan.yaml may be missing) and runs the plan's checks, or those given with --check. Writes \
            results.json, report.html, lag.csv, summary.md and junit.xml into RUN_DIR/analysis (or --out), \
            keeping the run's own unless --replace. A check that cannot be judged from what the run left says \
            'unknown' and why. Exit status: 0 valid, 1 invalid, 2 unknown, 3 not a run directory or a bad \
            --check, 5 could not write.

            Examples:
              chaos analyze runs/latest
              chaos analyze runs/latest --check leak:max-rss-growth=50MB/h --check linearizable:model=register
            """)

    @Argument(help: "The run directory (e.g. runs/latest).")
    var runDirectory: String

    @Option(name: .customLong("check"), help: ArgumentHelp(
        "A check to run instead of the plan's, with optional settings as in a plan's checks: section "
            + "(stats, crash, linearizable, lag, leak, liveness, divergence). Repeat for several.",
        valueName: "name[:key=value,...]"))
    var checks: [String] = []

    @Flag(help: "Overwrite the run's own results.json and reports instead of writing into RUN_DIR/analysis.")
    var replace = false

    @Option(name: .long, help: ArgumentHelp("Write the results and reports here instead.", valueName: "dir"))
    var out: String?

    @Flag(help: "Print results.json on stdout instead of the summary.")
    var json = false

    func validate() throws {
        if replace && out != nil { throw ValidationError("Give either --replace or --out, not both") }
    }

    func run() async throws {
        let code = await Analysis.run(.init(runDirectory: runDirectory, checks: checks, replace: replace, output: out,
                                            json: json))
        throw ArgumentParser.ExitCode(code)
    }
}
