import Foundation
import Testing

/// Paths for tests that run chaos end to end.
enum TestSupport {
    /// The package root (this file is Tests/ChaosCoreTests/Support.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The build folder the test bundle runs from, where `chaos` and `raft-node` are built.
    static var buildDirectory: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return (executable as NSString).deletingLastPathComponent
    }

    static func binary(_ name: String) -> String? {
        let path = "\(buildDirectory)/\(name)"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "chaos-\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Pids of running processes whose command line mentions `needle`.
    static func processes(matching needle: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let zombie = stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false
            return !zombie && String(decoding: data, as: UTF8.self).contains(needle)
        }
    }

    /// Starts `chaos run PLAN --out OUT --quiet` as a separate process (for tests that signal the controller).
    static func startChaosRun(plan: String, out: String, duration: String = "60s") throws -> Process {
        let chaos = try #require(binary("chaos"), "chaos is not built; run 'swift build' first")
        try #require(binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chaos)
        process.arguments = ["run", plan, "--out", out, "--quiet", "--duration", duration]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
