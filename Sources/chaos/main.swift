import ArgumentParser
import ChaosCore

struct Chaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos", version: "0.1.0", subcommands: [CheckCommand.self])

    /// Top-level code would pick the synchronous `main()`, which refuses async subcommands.
    static func start() async { await main() }
}

await Chaos.start()
