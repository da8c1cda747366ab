import ChaosControl
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The lab network of one run: a namespace per node plus a lab namespace holding the bridge.
///
/// Layout (nothing touches the host's namespace):
/// ```
///  lab netns:  chaos0 (bridge, 10.77.0.1/24) ── veth0 ── veth1 ── …
///                                                │         │
///  node netns:                        n1: eth0 10.77.0.11  n2: eth0 10.77.0.12 …
/// ```
/// The controller reaches nodes from inside the lab namespace: `withLabNamespace`, `makeSocket` and `connect`
/// create sockets there on the namespace thread, and a socket keeps its namespace wherever it is used later
/// (e.g. handed to SwiftNIO with `ClientBootstrap.withConnectedSocket`). Every namespace is held by a holder
/// process that dies with the controller, so the whole lab disappears with it even after a SIGKILL.
public final class Lab: Sendable {
    /// The node names, in the order that gives them their addresses.
    public let nodes: [String]
    public let subnet: Subnet
    /// The bridge's name inside the lab namespace.
    public static let bridgeName = "chaos0"
    /// The interface name of every node inside its namespace.
    public static let nodeInterface = "eth0"
    /// The peer name of the controller's workload clients (address `Subnet.clientsHost`) in links and grudges:
    /// `DirectedLink(from: "n2", to: Lab.clients)` is n2's traffic to the clients.
    public static let clients = "clients"

    let supervisor: Supervisor
    let lab: NetworkNamespace
    let namespaces: [String: NetworkNamespace]
    let indexes: [String: Int]
    let faults = Mutex(FaultState())
    private let tornDown = Mutex(false)

    private init(nodes: [String], subnet: Subnet, supervisor: Supervisor, lab: NetworkNamespace,
                 namespaces: [String: NetworkNamespace]) {
        self.nodes = nodes
        self.subnet = subnet
        self.supervisor = supervisor
        self.lab = lab
        self.namespaces = namespaces
        self.indexes = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1, $0) })
    }

    deinit { teardown() }

    /// Builds the lab: namespaces with holders, the bridge, one veth pair and address per node.
    ///
    /// - Parameters:
    ///   - nodes: unique node names; node i (from 1) gets host address .(10+i).
    ///   - subnet: the private IPv4 network, default `10.77.0.0/24`.
    /// - Throws: `NetError` naming the step and the netlink error; whatever was built is torn down again.
    public static func create(nodes: [String], subnet: String = "10.77.0.0/24",
                              supervisor: Supervisor = Supervisor()) throws(NetError) -> Lab {
        let parsed = try Subnet(subnet)
        guard !nodes.isEmpty, Set(nodes).count == nodes.count else {
            throw NetError(operation: "create a lab for nodes \(nodes)", hint: "give at least one node, each name once")
        }
        guard nodes.count <= parsed.capacity else {
            throw NetError(operation: "create a lab of \(nodes.count) nodes in \(parsed)",
                           hint: "the subnet holds \(parsed.capacity) nodes; choose a shorter prefix")
        }
        let lab = try NetworkNamespace(name: "lab", supervisor: supervisor)
        var namespaces: [String: NetworkNamespace] = [:]
        do throws(NetError) {
            try lab.netlink.setUp("lo")
            try lab.netlink.addBridge(bridgeName)
            let bridge = try lab.netlink.linkIndex(bridgeName)
            try lab.netlink.addAddress("\(parsed.gateway)/\(parsed.prefixLength)", link: bridge)
            try lab.netlink.addAddress("\(Subnet.format(parsed.clientsHost))/\(parsed.prefixLength)", link: bridge)
            try lab.netlink.setUp(bridgeName)
            for (index, node) in nodes.enumerated() {
                let namespace = try NetworkNamespace(name: node, supervisor: supervisor)
                namespaces[node] = namespace
                let veth = "veth\(index)"
                try lab.netlink.addVeth(veth, peer: nodeInterface, peerNamespaceFD: namespace.fd)
                try lab.netlink.setUp(veth, master: bridge)
                try namespace.netlink.setUp("lo")
                let interface = try namespace.netlink.linkIndex(nodeInterface)
                try namespace.netlink.addAddress("\(parsed.address(index))/\(parsed.prefixLength)", link: interface)
                try namespace.netlink.setUp(nodeInterface)
            }
            for (index, node) in nodes.enumerated() {
                try namespaces[node]!.netlink.waitUntilUp(nodeInterface)
                try lab.netlink.waitUntilUp("veth\(index)")
            }
            try lab.netlink.waitUntilUp(bridgeName)
        } catch {
            for namespace in namespaces.values { namespace.close(supervisor: supervisor) }
            lab.close(supervisor: supervisor)
            throw error
        }
        return Lab(nodes: nodes, subnet: parsed, supervisor: supervisor, lab: lab, namespaces: namespaces)
    }

    /// The node's address on the bridge, e.g. `10.77.0.11` (`10.77.0.2` for `Lab.clients`).
    public func address(of node: String) -> String {
        Subnet.format(host(of: node) ?? subnet.host(0))
    }

    /// The host-order address of a node or of `Lab.clients`; nil for an unknown name.
    func host(of peer: String) -> UInt32? {
        if peer == Self.clients { return subnet.clientsHost }
        return indexes[peer].map { subnet.host($0) }
    }

    /// `/proc/HOLDERPID/ns/net` of the node's namespace, for `ProcessSpec.networkNamespacePath`.
    public func namespacePath(of node: String) -> String {
        namespaces[node]?.path ?? "/nonexistent/\(node)"
    }

    /// The lab namespace (bridge side), for tools that want to enter it.
    public var labNamespacePath: String { lab.path }

    /// The controller's own address on the bridge (what nodes see client traffic come from).
    public var controllerAddress: String { subnet.gateway }

    /// Runs `body` on the namespace thread inside the lab namespace: sockets it creates reach every node.
    ///
    /// Keep `body` short (create and connect sockets); it blocks the one namespace thread.
    public func withLabNamespace<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            let job = Unchecked(body)
            let outcome = try lab.perform { () -> Unchecked<Result<T, any Error>> in
                Unchecked(Result { try job.value() })
            }
            return try outcome.value.get()
        }
    }

    /// Runs `body` on the namespace thread inside `node`'s namespace (tests, probes).
    public func withNamespace<T>(of node: String, _ body: () throws -> T) throws -> T {
        guard let namespace = namespaces[node] else { throw unknownNode(node) }
        return try withoutActuallyEscaping(body) { body in
            let job = Unchecked(body)
            let outcome = try namespace.perform { () -> Unchecked<Result<T, any Error>> in
                Unchecked(Result { try job.value() })
            }
            return try outcome.value.get()
        }
    }

    /// Kills every holder and closes every fd and socket; the kernel then frees namespaces, veths, the bridge,
    /// qdiscs and routes. Safe to call twice.
    public func teardown() {
        let first = tornDown.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        for namespace in namespaces.values { namespace.close(supervisor: supervisor) }
        lab.close(supervisor: supervisor)
    }

    /// Holder pids, so tests can check that they are gone.
    public var holderPIDs: [Int32] { [lab.holder.pid] + nodes.compactMap { namespaces[$0]?.holder.pid } }

    func unknownNode(_ node: String) -> NetError {
        NetError(operation: "find node '\(node)' in the lab",
                 hint: "the lab has nodes \(nodes.joined(separator: ", "))")
    }
}

/// Carries a value across the namespace thread while its owner blocks waiting, so no concurrent access exists.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
