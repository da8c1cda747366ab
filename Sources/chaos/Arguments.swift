import ArgumentParser
import ChaosPlan
import Foundation

/// Reads `30s`, `250ms`, `2m` from the command line.
func parseDuration(_ text: String) throws -> Duration {
    guard let duration = Units.parseDuration(text) else {
        throw ValidationError("Invalid duration '\(text)' (use a number with a unit: 250ms, 30s, 2m, 1h)")
    }
    return duration
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
