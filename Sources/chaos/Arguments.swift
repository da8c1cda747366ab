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

/// Reads `512MiB`, `4GB` from the command line (at least 1 MiB).
func parseMemorySize(_ text: String) throws -> Int {
    guard let bytes = Units.parseSize(text), bytes <= Int64(Int.max) else {
        throw ValidationError("Invalid size '\(text)' (use a number with a unit: 512MiB, 4GB)")
    }
    guard bytes >= 1 << 20 else { throw ValidationError("Memory limit '\(text)' is below 1MiB") }
    return Int(bytes)
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
