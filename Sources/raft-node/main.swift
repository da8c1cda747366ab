import ArgumentParser
import Dispatch
import Foundation
import RaftNode

/// `raft-node`: parses arguments and runs a `RaftNodeServer` until SIGTERM or SIGINT.
struct RaftNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-node",
        abstract: "A Raft replicated key-value store and log, the reference system under test of chaos.")

    @Option(help: "This node's id, e.g. n1.")
    var id: String

    @Option(help: "Directory for the WAL, snapshots and identity file (created if absent).")
    var dataDir: String

    @Option(help: "HOST:PORT for traffic from the other members.")
    var listenRaft: String

    @Option(help: "HOST:PORT for the client HTTP API.")
    var listenHttp: String

    @Option(name: .customLong("peer"), help: "Another member as ID=RAFTHOST:PORT,HTTPHOST:PORT; once per member.")
    var peers: [String] = []

    @Option(help: "Base election timeout (randomized up to twice this), e.g. 300ms.")
    var electionTimeout = "300ms"

    @Option(help: "Leader heartbeat interval, e.g. 50ms.")
    var heartbeat = "50ms"

    @Option(help: "Snapshot the state machine every N applied entries.")
    var snapshotEvery: UInt64 = 10_000

    @Option(name: .customLong("bug"), help: ArgumentHelp(
        "Switch on a test-only bug (exists to prove chaos): "
            + Bug.allCases.map(\.rawValue).joined(separator: ", ") + ". Repeatable.", valueName: "name"))
    var bugs: [String] = []

    @Flag(help: "One replicator thread per follower, woken by the log when entries are appended (as braft).")
    var replicatorThreads = false

    /// Builds and checks the node configuration without touching the disk.
    @Flag(help: "Join an existing cluster: start with no configuration and wait to be added (a new or wiped node).")
    var join = false

    @Option(help: "Voters of a new cluster as ID,ID,...; default: this node and every --peer.")
    var initialMembers: String?

    func nodeConfig() throws -> NodeConfig {
        var c = NodeConfig(id: id, dataDir: dataDir, listenRaft: try HostPort(parsing: listenRaft),
                           listenHTTP: try HostPort(parsing: listenHttp),
                           peers: try peers.map { try PeerConfig(parsing: $0) })
        c.electionTimeoutMs = try NodeConfig.milliseconds(electionTimeout)
        c.heartbeatMs = try NodeConfig.milliseconds(heartbeat)
        c.snapshotEvery = snapshotEvery
        c.replicatorThreads = replicatorThreads
        c.join = join
        c.initialMembers = initialMembers.map { $0.split(separator: ",").map(String.init) }
        for name in bugs {
            guard let bug = Bug(rawValue: name) else {
                let known = Bug.allCases.map(\.rawValue).joined(separator: ", ")
                throw RaftNodeError(.badArgument, "unknown bug '\(name)' (known: \(known))")
            }
            c.bugs.insert(bug)
        }
        try c.validate()
        return c
    }
}

/// Prints one line naming the problem and exits non-zero.
func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("raft-node: \(message)\n".utf8))
    exit(code)
}

let termination = TerminationSignal()
let command: RaftNodeCommand
do {
    command = try RaftNodeCommand.parseAsRoot() as! RaftNodeCommand
} catch {
    if RaftNodeCommand.exitCode(for: error) == .success { RaftNodeCommand.exit(withError: error) }
    fail(RaftNodeCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)")
}

let config: NodeConfig
do {
    config = try command.nodeConfig()
} catch {
    fail("\(error)")
}

let server: RaftNodeServer
do {
    server = try RaftNodeServer(config: config)
    try server.start()
} catch {
    fail("\(error)", code: 1)
}

termination.wait()
server.shutdown()
exit(0)

/// SIGTERM/SIGINT turned into an event to wait for, handled on a dispatch queue rather than in a signal handler
/// because shutting down needs locks and I/O. Installed before anything slow happens, so a stop that arrives
/// while the node is still starting ends in the same clean shutdown instead of the default death.
final class TerminationSignal {
    private let stop = DispatchSemaphore(value: 0)
    private let sources: [any DispatchSourceSignal]

    init() {
        sources = [SIGTERM, SIGINT].map { [stop] sig in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { stop.signal() }
            s.resume()
            return s
        }
    }

    func wait() {
        stop.wait()
    }
}
