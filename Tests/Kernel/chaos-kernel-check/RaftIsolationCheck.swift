import ChaosControl
import ChaosNet
import Foundation

/// Checks 2 and 3: three real raft-node processes in the lab's namespaces; the leader is cut off with netem
/// loss 100% on every link to and from it, a new leader takes over, the old leader's commit index stalls, and
/// after the heal it catches up.
struct RaftIsolationCheck {
    let lab: Lab
    let binary: String
    /// Where each node's logs and data go (the VM's tmpfs).
    let directory: String
    /// Emulated CPUs are 5-20x slower: timeouts well above raft-node's defaults avoid spurious elections.
    var electionTimeout: Duration = .milliseconds(1500)
    var heartbeat: Duration = .milliseconds(150)
    /// How long each phase may take before the check fails.
    var phaseLimit: Duration = .seconds(60)
    /// Caught up "within a few seconds": the limit for check 3.
    var catchUpLimit: Duration = .seconds(20)

    static let peerPort = 7000
    static let clientPort = 8000

    func run(log: @Sendable (String) -> Void) async throws {
        let supervisor = Supervisor()
        let addresses = lab.nodes.map {
            NodeAddress(id: $0, host: lab.address(of: $0), peerPort: Self.peerPort, clientPort: Self.clientPort)
        }
        let system = RaftNodeSystem(binary: binary, electionTimeout: electionTimeout, heartbeat: heartbeat)
        var children: [String: ChildProcess] = [:]
        for node in addresses {
            let home = "\(directory)/\(node.id)"
            try FileManager.default.createDirectory(atPath: "\(home)/data", withIntermediateDirectories: true)
            let command = system.command(for: node, cluster: addresses, dataDirectory: "\(home)/data")
            children[node.id] = try supervisor.spawn(ProcessSpec(
                executable: command.executable, arguments: command.arguments,
                stdoutPath: "\(home)/stdout.log", stderrPath: "\(home)/stderr.log",
                networkNamespacePath: lab.namespacePath(of: node.id)))
        }
        log("started raft-node in n1, n2, n3 (election timeout \(electionTimeout.milliseconds) ms, "
            + "heartbeat \(heartbeat.milliseconds) ms)")
        do {
            try await phases(log: log)
        } catch {
            for node in lab.nodes {
                let tail = (try? String(contentsOfFile: "\(directory)/\(node)/stderr.log", encoding: .utf8)) ?? ""
                log("\(node) stderr (last lines): " + tail.split(separator: "\n").suffix(5).joined(separator: " | "))
            }
            await supervisor.killAll()
            throw error
        }
        for child in children.values { _ = await supervisor.terminate(child, grace: .seconds(5)) }
    }

    private func phases(log: @Sendable (String) -> Void) async throws {
        let http = NodeHTTP(lab: lab, port: Self.clientPort)
        let clock = ContinuousClock()
        let started = clock.now
        let first = try await waitForLeader(among: lab.nodes, http: http, newerThan: -1)
        log("leader \(first.node) (term \(first.term)) elected after \(RoundTrips.ms(clock.now - started)) ms")
        try append(3, to: first.node, http: http, tag: "before")
        let agreed = try await waitFor("all three commit the first entries", http: http) { views in
            let indexes = Set(views.map(\.commitIndex))
            return views.count == 3 && indexes.count == 1 && indexes.first! >= 3
        }
        log("before isolation: " + agreed.map(\.description).joined(separator: "; "))

        // Check 2: isolate the leader with netem loss 100% on every link to and from it.
        let old = first.node
        let others = lab.nodes.filter { $0 != old }
        let applied = try lab.apply(.between([[old], others]), mechanism: .netem)
        let cut = clock.now
        log("isolated \(old) with netem loss 100% (\(lab.partitions.count) directed links) in "
            + "\(RoundTrips.ms(applied)) ms")
        let stalledAt = try http.status(old).commitIndex
        let next = try await waitForLeader(among: others, http: http, newerThan: first.term)
        log("new leader \(next.node) (term \(next.term)) after \(RoundTrips.ms(clock.now - cut)) ms")
        try append(5, to: next.node, http: http, tag: "during")
        let majority = try await waitFor("the majority commits past \(stalledAt)", http: http, nodes: others) {
            views in views.count == 2 && views.allSatisfy { $0.commitIndex >= stalledAt + 5 }
        }
        try await Task.sleep(for: .seconds(2))
        let isolated = try http.status(old)
        log("during isolation: \(isolated); " + majority.map(\.description).joined(separator: "; "))
        guard isolated.commitIndex == stalledAt else {
            throw KernelCheckError("isolated old leader \(old)",
                                   "commit index moved from \(stalledAt) to \(isolated.commitIndex) while cut off")
        }
        log("CHECK 2 ok: new leader \(next.node) elected, \(old) stalled at commit \(stalledAt) while the "
            + "others reached \(majority.map(\.commitIndex).min()!)")

        // Check 3: heal, and the old leader catches up.
        let healed = try lab.heal()
        let healedAt = clock.now
        log("healed in \(RoundTrips.ms(healed)) ms")
        let caughtUp = try await waitFor("\(old) catches up after the heal", http: http, limit: catchUpLimit) {
            views in
            guard views.count == 3, let lagging = views.first(where: { $0.node == old }) else { return false }
            return lagging.commitIndex >= stalledAt + 5
                && views.allSatisfy { $0.commitIndex == lagging.commitIndex }
        }
        log("CHECK 3 ok: \(old) caught up \(RoundTrips.ms(clock.now - healedAt)) ms after the heal: "
            + caughtUp.map(\.description).joined(separator: "; "))
    }

    /// Polls until exactly one of `nodes` leads in a term above `newerThan` and every answering node agrees.
    private func waitForLeader(among nodes: [String], http: NodeHTTP, newerThan term: Int64) async throws
        -> NodeView {
        var leader: NodeView?
        _ = try await waitFor("a leader among \(nodes.joined(separator: ", "))", http: http, nodes: nodes) { views in
            let leaders = views.filter { $0.role == "leader" && $0.term > term }
            guard leaders.count == 1, views.allSatisfy({ $0.leader == leaders[0].node }) else { return false }
            leader = leaders[0]
            return true
        }
        return leader!
    }

    /// Polls `/status` of `nodes` every 200 ms until `done` holds; fails after `limit` with the last views.
    @discardableResult
    private func waitFor(_ what: String, http: NodeHTTP, nodes: [String]? = nil, limit: Duration? = nil,
                         _ done: ([NodeView]) -> Bool) async throws -> [NodeView] {
        let deadline = ContinuousClock.now + (limit ?? phaseLimit)
        var last: [NodeView] = []
        while ContinuousClock.now < deadline {
            last = (nodes ?? lab.nodes).compactMap { try? http.status($0, timeout: .seconds(2)) }
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw KernelCheckError(what, "not within \(limit ?? phaseLimit); last seen: "
                               + (last.isEmpty ? "no node answered" : last.map(\.description).joined(separator: "; ")))
    }

    /// Appends `count` entries through `node` (the leader), each acknowledged with 200.
    private func append(_ count: Int, to node: String, http: NodeHTTP, tag: String) throws {
        for index in 1...count {
            let response = try http.request(node, "POST", "/log", body: "\(tag)-\(index)", timeout: .seconds(10))
            guard response.status == 200 else {
                throw KernelCheckError("append \(tag)-\(index) through \(node)",
                                       "HTTP \(response.status) \(response.json ?? [:])")
            }
        }
    }
}
