import ChaosHistory
import ChaosSupport
import Foundation
import Synchronization

/// The running nodes of the system under test (Jepsen's `db`): starts them with the system's adapter under the
/// supervisor, keeps each node's files in the run directory, kills, stops, pauses and restarts them for the
/// nemesis, and records every exit with whether chaos caused it.
public final class Cluster: Sendable {
    public let nodes: [NodeAddress]
    public let system: any SystemAdapter
    private let supervisor: Supervisor
    private let directory: String
    private let start: ContinuousClock.Instant
    private let state = Mutex<[String: NodeState]>([:])
    private let exitLog = Mutex<[NodeExit]>([])
    /// Nodes that (re)start as members joining the running cluster, with the members they join
    /// (`Cluster+Membership.swift`).
    let joining = Mutex<[String: [String]]>([:])
    private let statusEndpoints: [String: HTTPEndpoint]
    /// Each node's network namespace file (`network: namespaces`); empty = the controller's namespace.
    private let namespacePaths: [String: String]
    /// How the controller reaches the nodes; nil = directly by address.
    public let dialer: NodeDialer?
    /// Called with every exit as it happens (the run streams them to `exits.jsonl`).
    private let onExit: @Sendable (NodeExit) -> Void
    /// The nodes' data directories on chaos's FUSE durability layer (`disk: cached`); nil = plain directories.
    public let disk: DiskLayer?
    /// Nodes that are not members at the start (the plan's `members` below `nodes`): `launchAll` leaves them
    /// out, and the members start knowing only each other, until a `membership` grow adds them.
    public let spares: Set<String>

    private struct NodeState {
        var child: ChildProcess?
        /// What chaos is doing to the node right now; an exit while this is set is explained by it.
        var cause: NodeExit.Cause?
        var escalated = false
        var paused = false
    }

    /// - Parameters:
    ///   - directory: the run's `nodes/` directory; each node gets `<id>/{stdout.log,stderr.log,data/}`.
    ///   - start: the run's zero time, for exit timestamps.
    ///   - namespacePaths: node id → namespace file each node starts in; empty = the controller's namespace.
    ///   - dialer: how status requests reach the nodes (from inside the lab); nil = directly.
    public init(system: any SystemAdapter, nodes: [NodeAddress], directory: String, supervisor: Supervisor,
                start: ContinuousClock.Instant, namespacePaths: [String: String] = [:], dialer: NodeDialer? = nil,
                disk: DiskLayer? = nil, spares: [String] = [],
                onExit: @escaping @Sendable (NodeExit) -> Void = { _ in }) {
        self.disk = disk
        self.spares = Set(spares)
        self.system = system
        self.namespacePaths = namespacePaths
        self.dialer = dialer
        self.nodes = nodes
        self.directory = directory
        self.supervisor = supervisor
        self.start = start
        self.onExit = onExit
        statusEndpoints = Dictionary(uniqueKeysWithValues: nodes.map {
            ($0.id, HTTPEndpoint(node: $0, dialer: dialer))
        })
    }

    /// A fresh endpoint on `node`'s client port that reaches it the way this cluster does (the sampler's).
    public func makeEndpoint(for node: NodeAddress) -> HTTPEndpoint {
        HTTPEndpoint(node: node, dialer: dialer)
    }

    public var ids: [String] { nodes.map(\.id) }

    /// The directory holding `id`'s logs and data.
    public func nodeDirectory(_ id: String) -> String { "\(directory)/\(id)" }

    /// Starts (or restarts) one node.
    /// - Throws: `ControlError` when the process cannot be started.
    public func launch(_ id: String) throws {
        guard let node = nodes.first(where: { $0.id == id }) else {
            throw ControlError(operation: "start node '\(id)'", hint: "known nodes: \(ids.joined(separator: ", "))")
        }
        // Absolute, because the node starts in it: a crash leaves its core there (plain kernel.core_pattern).
        let home = URL(fileURLWithPath: nodeDirectory(id)).standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(atPath: "\(home)/data", withIntermediateDirectories: true)
        } catch {
            throw ControlError(operation: "create \(home)/data", hint: "\(error)")
        }
        try disk?.attach(id, home: home)
        let command = launchCommand(for: node, dataDirectory: "\(home)/data")
        let spec = ProcessSpec(executable: command.executable, arguments: command.arguments, workingDirectory: home,
                               stdoutPath: "\(home)/stdout.log", stderrPath: "\(home)/stderr.log",
                               networkNamespacePath: namespacePaths[id], coreDumps: true)
        let child = try supervisor.spawn(spec)
        state.withLock { $0[id] = NodeState(child: child) }
        Task { [self] in
            let status = await supervisor.exitStatus(of: child)
            recordExit(of: id, child: child, status: status)
        }
    }

    /// Starts every node.
    public func launchAll() throws {
        for id in ids where !spares.contains(id) { try launch(id) }
    }

    /// Whether the node's process is running (paused counts as running).
    public func isRunning(_ id: String) -> Bool {
        state.withLock { $0[id]?.child != nil }
    }

    public func isPaused(_ id: String) -> Bool {
        state.withLock { $0[id]?.paused ?? false }
    }

    public func pid(of id: String) -> Int32? {
        state.withLock { $0[id]?.child?.pid }
    }

    /// SIGKILL; returns once the process is gone.
    public func kill(_ id: String) async {
        guard let child = mark(id, cause: .kill) else { return }
        try? supervisor.signal(child, SIGKILL)
        _ = await supervisor.exitStatus(of: child)
        await waitUntilRecorded(id, child)
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the process is gone.
    public func stop(_ id: String, grace: Duration, cause: NodeExit.Cause = .stop) async {
        guard let child = mark(id, cause: cause) else { return }
        if isPaused(id) { try? supervisor.signal(child, SIGCONT) }
        // Marked before the SIGKILL: the exit is recorded as soon as the process dies, before terminate returns.
        _ = await supervisor.terminate(child, grace: grace) { [self] in
            state.withLock { if $0[id]?.child == child { $0[id]?.escalated = true } }
        }
        await waitUntilRecorded(id, child)
    }

    /// SIGSTOP: the whole process freezes, and answers nothing until `resume`.
    public func pause(_ id: String) throws {
        guard let child = state.withLock({ $0[id]?.child }) else { return }
        try supervisor.signal(child, SIGSTOP)
        state.withLock { $0[id]?.paused = true }
    }

    public func resume(_ id: String) throws {
        guard let child = state.withLock({ $0[id]?.child }) else { return }
        try supervisor.signal(child, SIGCONT)
        state.withLock { $0[id]?.paused = false }
    }

    /// Stops every node gracefully (the end of a run), resuming paused ones first so they can exit.
    ///
    /// The leader goes last: a leader stopped together with its followers may spend its grace period handing
    /// leadership to a peer that is exiting too (etcd waits up to its request timeout); alone, it has no one to
    /// hand over to and exits at once.
    public func shutdown(grace: Duration) async {
        let leader = await leader()
        await withTaskGroup(of: Void.self) { group in
            for id in ids where isRunning(id) && id != leader {
                group.addTask { await self.stop(id, grace: grace, cause: .shutdown) }
            }
        }
        if let leader, isRunning(leader) { await stop(leader, grace: grace, cause: .shutdown) }
    }

    /// Every exit so far, in order.
    public var exits: [NodeExit] { exitLog.withLock { $0 } }

    /// Asks one node for its status; nil when it does not answer within `timeout`.
    public func status(of id: String, timeout: Duration) async -> NodeStatus? {
        guard let node = nodes.first(where: { $0.id == id }), let endpoint = statusEndpoints[id] else { return nil }
        return try? await system.status(of: node, via: endpoint, timeout: timeout)
    }

    /// The status of every node that answers within `timeout`, asked in parallel.
    public func statuses(timeout: Duration) async -> [String: NodeStatus] {
        await withTaskGroup(of: (String, NodeStatus?).self) { group in
            for id in ids where isRunning(id) && !isPaused(id) {
                group.addTask { (id, await self.status(of: id, timeout: timeout)) }
            }
            var result: [String: NodeStatus] = [:]
            for await (id, status) in group { if let status { result[id] = status } }
            return result
        }
    }

    /// Waits until every running node answers its status API (nodes restarted by the last heals are up), at most
    /// `timeout`; returns whether they all did.
    @discardableResult
    public func awaitAnswering(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let running = ids.filter { isRunning($0) && !isPaused($0) }
            if await statuses(timeout: .milliseconds(250)).count == running.count { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Every answering node's log digests, read in parallel (for the divergence checker).
    public func logs(timeout: Duration) async -> [NodeLog] {
        await withTaskGroup(of: NodeLog?.self) { group in
            for node in nodes where isRunning(node.id) && !isPaused(node.id) {
                let endpoint = makeEndpoint(for: node)
                group.addTask {
                    defer { endpoint.close() }
                    return await self.system.log(of: node, via: endpoint, timeout: timeout)
                }
            }
            var logs: [NodeLog] = []
            for await log in group { if let log { logs.append(log) } }
            return logs.sorted { $0.node < $1.node }
        }
    }

    /// The node that claims leadership in the highest term, if any answers as leader.
    public func leader(timeout: Duration = .milliseconds(300)) async -> String? {
        let all = await statuses(timeout: timeout)
        return all.filter { $0.value.role == .leader }.max { $0.value.term < $1.value.term }?.key
    }

    /// Waits until some node is leader, polling every 50 ms.
    /// - Throws: `ControlError` after `timeout`, quoting the stderr tail of a node that died, if any.
    public func awaitLeader(timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let leader = await leader(timeout: .milliseconds(250)) { return leader }
            if let dead = exits.first {
                throw ControlError(
                    operation: "start the cluster: \(dead.node) \(ExitStatus(dead.status)) before a leader was elected",
                    hint: "its stderr ends with:\n" + tail(of: "\(nodeDirectory(dead.node))/stderr.log"))
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let quiet = ids.first { id in !((try? String(contentsOfFile: "\(nodeDirectory(id))/stderr.log", encoding: .utf8))?.isEmpty ?? true) } ?? ids[0]
        throw ControlError(
            operation: "start the cluster: no leader elected within \(timeout)",
            hint: "\(quiet)'s stderr ends with:\n" + tail(of: "\(nodeDirectory(quiet))/stderr.log"))
    }

    /// Sets why the node is about to exit and returns its process, or nil when it is not running.
    func mark(_ id: String, cause: NodeExit.Cause) -> ChildProcess? {
        state.withLock { state in
            guard let child = state[id]?.child else { return nil }
            state[id]?.cause = cause
            return child
        }
    }

    private func recordExit(of id: String, child: ChildProcess, status: ExitStatus) {
        let exit: NodeExit? = state.withLock { state in
            guard let current = state[id], current.child == child else { return nil }
            state[id] = NodeState()
            let elapsed = ContinuousClock.now - start
            let time = elapsed.nanoseconds
            return NodeExit(node: id, pid: child.pid, time: time, status: status.nodeExitStatus,
                            cause: current.cause ?? .unexpected, escalated: current.escalated)
        }
        guard let exit else { return }
        exitLog.withLock { $0.append(exit) }
        onExit(exit)
    }

    /// Exit recording happens on its own task; callers that just stopped a node wait for it.
    private func waitUntilRecorded(_ id: String, _ child: ChildProcess) async {
        while state.withLock({ $0[id]?.child == child }) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func tail(of path: String, lines: Int = 12) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let last = text.split(separator: "\n").suffix(lines)
        return last.isEmpty ? "  (empty)" : last.map { "  " + $0 }.joined(separator: "\n")
    }
}
