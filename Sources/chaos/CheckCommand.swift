import ArgumentParser
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

    @Argument(help: "The history file (history.jsonl, history.edn, a Porcupine log).")
    var file: String

    @Option(help: "register, cas-register, multi-register, kv, etcd-register or append-log.")
    var model: String

    @Option(help: "auto, jsonl, edn or etcd-log.")
    var format: String = "auto"

    @Option(name: .customLong("time-limit"), help: "Give up with 'unknown' after this long (e.g. 60s, 500ms, 2m).")
    var timeLimit: String = "60s"

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard Self.duration(timeLimit) != nil else {
            throw ValidationError("Invalid time limit '\(timeLimit)' (use e.g. 60s, 500ms or 2m)")
        }
    }

    func run() async throws {
        let limit = Self.duration(timeLimit) ?? .seconds(60)
        let code = OfflineCheck.run(.init(path: file, model: model, format: format, timeLimit: limit, json: json))
        throw ArgumentParser.ExitCode(code)
    }

    /// `60s`, `500ms`, `2m`, `1h`, or bare seconds.
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let v = Double(text.dropLast(suffix.count)), v >= 0 else { return nil }
            return .nanoseconds(Int64(v * scale * 1e9))
        }
        return Double(text).flatMap { $0 >= 0 ? .nanoseconds(Int64($0 * 1e9)) : nil }
    }
}
