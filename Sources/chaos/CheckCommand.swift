import ArgumentParser
import ChaosCommands
import ChaosCore

/// `chaos check FILE --model M`: judges a recorded history offline.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a recorded history for linearizability.",
        discussion: """
            Reads chaos JSONL, Jepsen EDN or Porcupine logs. Exit status: 0 valid, 1 invalid, 2 unknown \
            (time or memory ran out), 3 bad input.
            """)

    @Argument(help: "The history file (history.jsonl, history.edn, a Porcupine log) or a run directory.")
    var file: String

    @Option(help: "register, cas-register, multi-register, kv, etcd-register or append-log.")
    var model: String

    @Option(help: "auto, jsonl, edn or etcd-log.")
    var format: String = "auto"

    @Option(name: .customLong("time-limit"), help: "Give up with 'unknown' after this long (e.g. 60s, 500ms, 2m).",
            transform: parseDuration)
    var timeLimit: Duration = .seconds(60)

    @Option(name: .customLong("memory-limit"), help: """
        Give up with 'unknown' once the process holds this much memory (e.g. 512MiB, 4GB); default half the \
        machine, at most 8GiB.
        """, transform: parseMemorySize)
    var memoryLimit: Int?

    @Flag(help: """
        Registers start absent and a read of nil saw that absence (histories chaos recorded itself); \
        by default the Knossos semantics apply (cas-register starts at 0, nil reads match anything).
        """)
    var registersStartAbsent = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Option(help: """
        The committed log (log.jsonl) a run followed: resolves indeterminate writes before the search and \
        reports what it contradicts. A run directory's own log.jsonl is used by default.
        """)
    var log: String?

    @Option(help: "Write the failing partition as a timeline to this HTML file.")
    var html: String?

    func run() async throws {
        let code = OfflineCheck.run(.init(path: file, model: model, format: format, timeLimit: timeLimit, json: json,
                                          registersStartAbsent: registersStartAbsent,
                                          memoryLimit: memoryLimit, log: log, html: html))
        throw ArgumentParser.ExitCode(code)
    }
}
