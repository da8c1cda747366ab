import ArgumentParser
import ChaosCore
import Foundation

struct Chaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos", version: "0.1.0", subcommands: [CheckCommand.self])

    /// Parses and runs like `AsyncParsableCommand.main()` (top-level code would pick the synchronous `main()`,
    /// which refuses async subcommands), but bad arguments exit with chaos's bad-input code 3, not 64.
    static func start() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ChaosCore.ExitCode.badInput.rawValue)
            }
            exit(withError: error)
        }
    }
}

await Chaos.start()
