import ChaosControl
import ChaosPlan
import ChaosSupport
import Foundation

extension BinaryLocator {
    /// The node program of a `system: custom` plan.
    ///
    /// A `binary` with a `/` is a path (relative to the working directory); a bare name is looked up next to
    /// the running chaos, then on `PATH` — and `raft-node` is found (or built) as for `system: raft-node`, so the
    /// shipped example plan runs on a fresh clone.
    /// - Throws: `RunError.environment` when the program is missing or not executable.
    static func planBinary(_ cluster: ClusterSpec, log: (String) -> Void) throws -> String {
        guard cluster.adapter != nil, let configured = cluster.binary else {
            throw RunError.badInput("system 'custom' needs 'adapter' and 'binary' in the cluster section")
        }
        let binary: String
        if configured == "raft-node" {
            binary = try raftNode(configured: nil, log: log)
        } else if configured.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw RunError.environment("node program '\(configured)' (cluster.binary) is missing or not "
                                           + "executable; install it or fix the path")
            }
            binary = configured
        } else {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            let directories = [(executable as NSString).deletingLastPathComponent]
                + ExecutableSearch.searchPath.split(separator: ":").map(String.init)
            guard let found = ExecutableSearch.find(configured, in: directories) else {
                throw RunError.environment("node program '\(configured)' (cluster.binary) was not found next to "
                                           + "chaos or on PATH; install it or give its full path")
            }
            binary = found
        }
        return binary
    }
}
