import ArgumentParser

/// `chaos-bench`: benchmarks that print figures; never timed unit tests.
struct ChaosBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-bench",
        abstract: "Benchmarks of chaos and its reference system.",
        subcommands: [NodeBench.self])
}

await ChaosBench.main()
