import ArgumentParser

/// Benchmarks print figures; speed goals live here, never in timed unit tests.
@main
struct ChaosBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-bench", abstract: "chaos benchmarks (use a release build).",
        subcommands: [RecorderBench.self, CheckBench.self, InvalidCheckBench.self, NodeBench.self, NetBench.self,
                      FreezeBench.self, ReportBench.self, SystemsBench.self, DiskBench.self, ClientBench.self,
                      ControllerBench.self, MemoryBench.self, LogCheckBench.self, JudgeMemoryBench.self])
}
