import ArgumentParser
import ChaosCore

struct Chaos: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chaos", version: "0.1.0")
}
Chaos.main()
