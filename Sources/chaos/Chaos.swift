import ArgumentParser
import ChaosCommands
import ChaosCore

/// The `chaos` command: argument parsing only; every subcommand calls one library function.
@main
struct Chaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Chaos testing for replicated logs: real nodes, real faults, honest checkers.",
        discussion: """
            Exit codes: 0 valid, 1 invalid, 2 unknown, 3 bad input, 4 missing capability, 5 internal error, \
            130 interrupted.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ValidateCommand.self, CheckCommand.self, AnalyzeCommand.self,
                      ReportCommand.self, LagCommand.self,
                      DoctorCommand.self])

    /// Parses and runs, mapping usage errors to exit 3 (bad input) rather than ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = fullMessage(for: error)
                print(message.isEmpty ? "chaos: bad arguments" : message, to: &standardError)
                exit(withError: ArgumentParser.ExitCode(ChaosCore.ExitCode.badInput.rawValue))
            }
            exit(withError: error)
        }
    }
}

/// Ends the process with one of chaos's exit codes.
func finish(_ code: ChaosCore.ExitCode) throws -> Never {
    throw ArgumentParser.ExitCode(code.rawValue)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.standardError(string)
    }
}

nonisolated(unsafe) var standardError = StandardError()
