import ArgumentParser

/// `chaos-bench`: benchmarks that print figures; never timed unit tests.
struct ChaosBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-bench",
        abstract: "Benchmarks of chaos and its reference system.",
        subcommands: [NodeBench.self])
}

/// Runs the async entry point. In top-level code `await ChaosBench.main()` resolves to the synchronous
/// overload, which would run a subcommand's default (help-printing) `run()` instead of its async one.
func runChaosBench() async {
    await ChaosBench.main()
}

await runChaosBench()
