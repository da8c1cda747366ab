import ArgumentParser
import ChaosCommands
import ChaosCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan: start the cluster, drive the workload, inject faults, check, report.",
        discussion: "Writes runs/<plan>/<timestamp>/ (and runs/latest) with the history, samples, events, node "
            + "logs, results.json, summary.md and junit.xml.")

    @Argument(help: "The plan file (YAML).")
    var plan: String

    @Option(name: .long, help: ArgumentHelp("Directory for run directories.", valueName: "dir"))
    var out: String = "runs"

    @Option(name: .long, help: "Seed for every random choice (overrides the plan's).")
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("Run for this long instead of the plan's duration (e.g. 15s).",
                                            valueName: "duration"), transform: parseDuration)
    var duration: Duration?

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Flag(name: .long, help: "Print results.json on stdout instead of the summary.")
    var json = false

    func run() async throws {
        let options = RunOptions(planPath: plan, outputRoot: out, seed: seed, duration: duration, quiet: quiet,
                                 json: json)
        try finish(await Runner.run(options))
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a plan file and show the fault schedule it yields.")

    @Argument(help: "The plan file (YAML).")
    var plan: String

    @Option(name: .long, help: "Seed to expand random fault schedules with (default: the plan's).")
    var seed: UInt64?

    func run() throws {
        try finish(PlanValidation.run(path: plan, seed: seed))
    }
}

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Show what this machine allows (root, namespaces, ptrace, binaries).")

    func run() throws {
        try finish(Doctor.run())
    }
}
