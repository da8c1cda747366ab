import Foundation
import ChaosControl

/// A fresh temporary directory per test, removed at the end.
struct Scratch: ~Copyable {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = FileManager.default.temporaryDirectory.path + "/chaos-control-\(safe)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/name`.
    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// `/bin/sleep 30`, its output in this directory.
    func sleeper() -> ProcessSpec {
        ProcessSpec(executable: "/bin/sleep", arguments: ["30"], stdoutPath: file("out"), stderrPath: file("err"))
    }
}

/// The file's text, or "" when it does not exist yet.
func contents(of file: String) -> String {
    (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
}

/// Polls `file` (written by a child process) until it contains `text` or `timeout` passes.
/// - Returns: whether the text appeared.
func waitFor(_ text: String, in file: String, timeout: Duration = .seconds(10)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if contents(of: file).contains(text) {
            return true
        }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return contents(of: file).contains(text)
}

/// Swift Testing has its own `ExitStatus` (for exit tests); in these tests the name means the supervisor's.
typealias ExitStatus = ChaosControl.ExitStatus
