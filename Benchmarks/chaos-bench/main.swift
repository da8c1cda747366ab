import ArgumentParser

/// `chaos-bench`: benchmarks that print figures (never timed unit tests).
struct ChaosBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-bench", abstract: "Print performance figures.", subcommands: [CheckBench.self])

    /// Top-level code would pick the synchronous `main()`, which refuses async subcommands.
    static func start() async { await main() }
}

await ChaosBench.start()
