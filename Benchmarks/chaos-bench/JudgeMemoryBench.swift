import ArgumentParser
import Foundation
import Glibc

/// Peak memory of judging a stored run against its length (issue 13: judging must not grow with the run beyond
/// what the linearizability checker's partitions need). Writes synthetic run directories of growing length and
/// judges each with `chaos analyze` in a child process, so every size gets its own peak RSS (`ru_maxrss` of the
/// child from `wait4`).
struct JudgeMemoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge-memory", abstract: "Peak RSS of `chaos analyze` on synthetic runs of growing length.")

    @Option(help: "Operations per run (comma-separated).")
    var sizes = "100000,500000,2000000"

    @Option(help: "The chaos binaries to compare (comma-separated); default: the one next to this benchmark.")
    var chaos: String?

    @Option(help: "Judgings per size and binary (the median is printed).")
    var repeats = 1

    @Option(help: "Where the run directories go (kept for inspection when given).")
    var directory: String?

    func run() throws {
        let binaries = chaos.map { $0.split(separator: ",").map(String.init) }
            ?? [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/chaos"]
        let root = directory ?? NSTemporaryDirectory() + "chaos-judge-memory-\(getpid())"
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: root) } }
        print("ops        history MB  binary                          wall s   peak RSS MB  RSS/op B  verdict")
        for size in sizes.split(separator: ",").compactMap({ Int($0) }) {
            let run = "\(root)/run-\(size)"
            let bytes = try SyntheticRunDirectory(operations: size).write(to: run)
            for binary in binaries {
                var figures: [(wall: Double, peak: Int, verdict: String)] = []
                for _ in 0..<max(1, repeats) {
                    try? FileManager.default.removeItem(atPath: "\(run)/analysis")
                    figures.append(try Self.judge(binary: binary, run: run))
                }
                figures.sort { $0.peak < $1.peak }
                let peak = figures[figures.count / 2].peak
                let wall = figures.map(\.wall).sorted()[figures.count / 2]
                print(String(format: "%-10d %10.1f  %-30@ %7.1f  %12.1f  %8.0f  %@", size, Double(bytes) / 1e6,
                             String(binary.suffix(30)), wall, Double(peak) / 1e6, Double(peak) / Double(size),
                             figures[figures.count / 2].verdict))
            }
        }
    }

    /// Runs `chaos analyze RUN` and returns its wall time, peak RSS in bytes and the verdict it wrote.
    static func judge(binary: String, run: String) throws -> (wall: Double, peak: Int, verdict: String) {
        let arguments = [binary, "analyze", run]
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let started = ContinuousClock.now
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = ContinuousClock.now - started
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var verdict = "exit \(status >> 8)"
        if let data = FileManager.default.contents(atPath: "\(run)/analysis/results.json"),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let text = json["verdict"] as? String {
            verdict = text
        }
        return (wall, usage.ru_maxrss * 1024, verdict)
    }
}
