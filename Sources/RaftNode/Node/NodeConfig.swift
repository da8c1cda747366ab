/// A `HOST:PORT` address.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (the port after the last colon).
    /// - Throws: `RaftNodeError.badArgument` quoting the text.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon != text.startIndex else {
            throw RaftNodeError(.badArgument, "invalid address '\(text)' (expected HOST:PORT, e.g. 127.0.0.1:7001)")
        }
        self.host = String(text[..<colon])
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// Another member of the cluster: its id and where its raft and HTTP listeners are.
public struct PeerConfig: Sendable, Equatable {
    public var id: String
    public var raft: HostPort
    public var http: HostPort

    public init(id: String, raft: HostPort, http: HostPort) {
        self.id = id
        self.raft = raft
        self.http = http
    }

    /// Parses `ID=RAFTHOST:PORT,HTTPHOST:PORT`.
    /// - Throws: `RaftNodeError.badArgument` quoting the text.
    public init(parsing text: String) throws {
        let usage = "invalid peer '\(text)' (expected ID=RAFTHOST:PORT,HTTPHOST:PORT)"
        let idAndAddrs = text.split(separator: "=", maxSplits: 1)
        guard idAndAddrs.count == 2, !idAndAddrs[0].isEmpty else { throw RaftNodeError(.badArgument, usage) }
        let addrs = idAndAddrs[1].split(separator: ",")
        guard addrs.count == 2,
              let raft = try? HostPort(parsing: String(addrs[0])),
              let http = try? HostPort(parsing: String(addrs[1])) else {
            throw RaftNodeError(.badArgument, usage)
        }
        self.init(id: String(idAndAddrs[0]), raft: raft, http: http)
    }
}

/// Everything a node needs to run.
public struct NodeConfig: Sendable {
    public var id: String
    public var dataDir: String
    public var listenRaft: HostPort
    public var listenHTTP: HostPort
    public var peers: [PeerConfig]
    public var electionTimeoutMs: Int = 300
    public var heartbeatMs: Int = 50
    public var snapshotEvery: UInt64 = 10_000
    /// Test-only bug modes (`--bug NAME`); empty in normal use.
    public var bugs: Set<Bug> = []
    /// One replicator thread per follower announces new entries, woken by the log (as braft); `lost-wakeup`
    /// implies it. Off by default: the core loop then sends new entries itself.
    public var replicatorThreads = false
    /// Joins an existing cluster (`--join`): the node starts knowing no configuration, never campaigns, and
    /// waits for a leader to add it. A node whose data was wiped must rejoin this way, or it would vote with an
    /// empty log as if it had never acknowledged anything.
    public var join = false
    /// The voters of a new cluster (`--initial-members`); nil = this node and every `--peer`. A node not in
    /// the list starts as with `--join`; the others' `--peer` entries are only an address book.
    public var initialMembers: [String]?
    /// Clock resolution of the Raft core.
    public var tickMs: Int = 10
    /// How long an HTTP request may wait for commit or a read before it gets 503.
    public var requestTimeoutMs: Int = 2000

    public init(id: String, dataDir: String, listenRaft: HostPort, listenHTTP: HostPort, peers: [PeerConfig]) {
        self.id = id
        self.dataDir = dataDir
        self.listenRaft = listenRaft
        self.listenHTTP = listenHTTP
        self.peers = peers
    }

    /// Rejects inconsistent settings before anything touches the disk.
    /// - Throws: `RaftNodeError.badArgument` naming the problem.
    public func validate() throws {
        guard !id.isEmpty, !id.contains(where: { $0 == "=" || $0 == "," || $0 == "/" }) else {
            throw RaftNodeError(.badArgument, "invalid node id '\(id)' (use letters and digits, e.g. n1)")
        }
        var seen: Set<String> = [id]
        for p in peers where !seen.insert(p.id).inserted {
            throw RaftNodeError(.badArgument, "member '\(p.id)' is given twice (each other member once with --peer)")
        }
        guard electionTimeoutMs >= 2 * heartbeatMs, heartbeatMs > 0 else {
            throw RaftNodeError(.badArgument, "election timeout \(electionTimeoutMs)ms must be at least twice the "
                + "heartbeat \(heartbeatMs)ms")
        }
        guard snapshotEvery > 0 else {
            throw RaftNodeError(.badArgument, "--snapshot-every must be at least 1")
        }
    }

    /// Parses a duration such as `300ms`, `2s` or `1.5s` into milliseconds.
    /// - Throws: `RaftNodeError.badArgument` quoting the text.
    public static func milliseconds(_ text: String) throws -> Int {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let v = Double(text.dropLast(suffix.count)), v > 0 { return Int((v * scale).rounded()) }
        }
        throw RaftNodeError(.badArgument, "invalid duration '\(text)' (expected e.g. 300ms or 2s)")
    }
}
