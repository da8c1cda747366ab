import ChaosControl
import ChaosPlan
import ChaosSupport
import Foundation

/// Finds the node binary of the system under test, building the embedded `raft-node` on first use so that
/// `swift run chaos run plans/quickstart.yaml` works on a fresh clone with no extra step.
public enum BinaryLocator {
    /// Resolves `raft-node`: the plan's `binary`, `$CHAOS_RAFT_NODE`, the binary next to the running
    /// executable (built with `swift build --product raft-node` when chaos runs from a SwiftPM build folder),
    /// then `PATH`.
    /// - Throws: `RunError.environment` with the command that builds it.
    public static func raftNode(configured: String?, log: (String) -> Void) throws -> String {
        if let configured {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw RunError.environment(
                    "raft-node binary '\(configured)' (cluster.binary) is missing or not executable")
            }
            return configured
        }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CHAOS_RAFT_NODE"] {
            guard FileManager.default.isExecutableFile(atPath: fromEnvironment) else {
                throw RunError.environment("CHAOS_RAFT_NODE='\(fromEnvironment)' is missing or not executable")
            }
            return fromEnvironment
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let directory = (executable as NSString).deletingLastPathComponent
        let sibling = "\(directory)/raft-node"
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        // Under `swift test` the package's build lock is held, so a nested `swift build` would wait forever.
        if let range = directory.range(of: "/.build/"), !executable.hasSuffix(".xctest") {
            let packageRoot = String(directory[..<range.lowerBound])
            let configuration = (directory as NSString).lastPathComponent == "release" ? "release" : "debug"
            log("building raft-node (\(configuration), first run only)…")
            try build(packageRoot: packageRoot, configuration: configuration)
            if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        }
        if let found = ExecutableSearch.onPath("raft-node") { return found }
        throw RunError.environment(
            "raft-node binary not found; build it with 'swift build --product raft-node', "
                + "set CHAOS_RAFT_NODE, or give cluster.binary in the plan")
    }

    /// The node program of a system, found the way its registration says.
    /// - Throws: `RunError.environment` saying how to install or build it.
    static func program(_ program: NodeProgram, cluster: ClusterSpec, log: (String) -> Void) throws -> String {
        switch program {
        case .raftNode: try raftNode(configured: cluster.binary, log: log)
        case .installed(let name, let install): try installed(name, configured: cluster.binary, install: install)
        case .planBinary: try planBinary(cluster, log: log)
        }
    }

    /// Resolves an installed program: the plan's `binary`, then `name` on `PATH`.
    /// - Throws: `RunError.environment` with the command that installs it.
    static func installed(_ name: String, configured: String?, install: String) throws -> String {
        if let configured {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw RunError.environment(
                    "\(name) binary '\(configured)' (cluster.binary) is missing or not executable; install it: "
                        + "\(install), or fix cluster.binary")
            }
            return configured
        }
        guard let found = ExecutableSearch.onPath(name) else {
            throw RunError.environment(
                "\(name) binary not found on PATH; install it: \(install), or give cluster.binary in the plan")
        }
        return found
    }

    private static func build(packageRoot: String, configuration: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--package-path", packageRoot, "--product", "raft-node",
                             "-c", configuration]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch {
            throw RunError.environment("could not run 'swift build' to build raft-node: \(error)")
        }
        let log = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: log, as: UTF8.self).split(separator: "\n").suffix(10).joined(separator: "\n")
            throw RunError.environment("building raft-node failed:\n\(tail)")
        }
    }
}
