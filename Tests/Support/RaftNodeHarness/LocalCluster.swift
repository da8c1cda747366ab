import RaftNode
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Real `raft-node` processes on loopback, each with its own data dir under a temp dir, for tests and
/// benchmarks. Every process it starts is killed when the cluster is deinitialized, so a failing test
/// leaves nothing behind.
public final class LocalCluster {
    public struct Member: Sendable {
        public var id: String
        public var raft: HostPort
        public var http: HostPort
        public var dataDir: String
    }

    public let binary: String
    public let root: String
    public let members: [Member]
    public private(set) var processes: [String: Process] = [:]
    public let extraArgs: [String]

    /// Where `swift build --product raft-node` puts the binary: next to the running executable (test bundle
    /// or benchmark), or in the package's `.build/debug`.
    public static func findBinary() -> String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("raft-node").path
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let inBuild = packageRoot.appendingPathComponent(".build/debug/raft-node").path
        return [beside, inBuild].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A port the kernel just handed out for 127.0.0.1 (bind to port 0, read it back, close).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                _ = bind(fd, p, len)
                return getsockname(fd, p, &len)
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Picks free loopback ports and a temp root; starts nothing yet.
    public init(binary: String, size: Int = 3, extraArgs: [String] = []) throws {
        self.binary = binary
        self.extraArgs = extraArgs
        let root = NSTemporaryDirectory() + "raft-node-test-" + UUID().uuidString
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        members = (1...size).map { i in
            Member(id: "n\(i)", raft: HostPort(host: "127.0.0.1", port: LocalCluster.freePort()),
                   http: HostPort(host: "127.0.0.1", port: LocalCluster.freePort()), dataDir: "\(root)/n\(i)")
        }
    }

    deinit {
        for p in processes.values where p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
        for p in processes.values { p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: root)
    }

    public func member(_ id: String) -> Member { members.first { $0.id == id }! }

    public func arguments(for m: Member) -> [String] {
        var args = ["--id", m.id, "--data-dir", m.dataDir, "--listen-raft", m.raft.description,
                    "--listen-http", m.http.description]
        for p in members where p.id != m.id { args += ["--peer", "\(p.id)=\(p.raft),\(p.http)"] }
        return args + extraArgs
    }

    /// Starts (or restarts) one member; its stderr goes to `ROOT/ID.log`.
    public func start(_ id: String) throws {
        let m = member(id)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments(for: m)
        let logPath = "\(root)/\(id).log"
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        processes[id] = p
    }

    public func startAll() throws {
        for m in members { try start(m.id) }
    }

    /// Sends `signal` to a member and waits for it to exit.
    public func kill(_ id: String, signal: Int32 = SIGKILL) {
        guard let p = processes[id] else { return }
        Glibc.kill(p.processIdentifier, signal)
        p.waitUntilExit()
    }

    /// `/status` of a member as a dictionary, or nil when it does not answer.
    public func status(_ id: String) -> [String: Any]? {
        let c = NodeHTTPClient(member(id).http, timeoutMs: 500)
        guard let r = try? c.request("GET", "/status"), r.status == 200 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(r.body.utf8))) as? [String: Any]
    }

    /// Polls until the live members in `among` agree on one leader, or `timeout` seconds pass.
    public func waitForLeader(among ids: [String], timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let statuses = ids.compactMap { status($0) }
            let leaders = statuses.filter { $0["role"] as? String == "leader" }
            if statuses.count == ids.count, leaders.count == 1, let l = leaders[0]["id"] as? String,
               statuses.allSatisfy({ $0["leader"] as? String == l }) {
                return l
            }
            usleep(20_000)
        }
        return nil
    }

    public func log(_ id: String) -> String {
        (try? String(contentsOfFile: "\(root)/\(id).log", encoding: .utf8)) ?? ""
    }
}
