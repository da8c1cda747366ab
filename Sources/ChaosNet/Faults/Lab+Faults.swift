/// Partitions and link shaping, per directed link, applied through netlink.
///
/// On each node's `eth0` egress the lab installs (on first need) a classful root qdisc: htb `1:` whose
/// default class `1:1` carries unmatched traffic, plus for every peer j a class `1:(0x10+j)` selected by a
/// u32 match on the peer's address. netem `(0x100+j):` hangs under that class; a rate limit is the class's
/// htb rate. The controller's clients (`Lab.clients`) are one more peer, class `1:f` and netem `ff:`, so a
/// node's traffic to the clients can be dropped or shaped like a link to another node (never the sampler's).
/// Where the kernel has no netem, partitions use unreachable routes instead (`mechanism: route`).
extension Lab {
    /// htb rate of a class with no limit: 10 Gbit/s, in bytes per second.
    static let unlimited: UInt64 = 1_250_000_000
    static let rootMajor: UInt32 = 1

    /// Makes the lab's partitions exactly `grudge`: links no longer listed heal, new ones drop.
    ///
    /// - Parameter mechanism: `.auto` picks netem when the kernel has it, else routes.
    /// - Returns: the apply latency, from this call to the kernel's last acknowledgement.
    /// - Throws: `NetError` for an unknown node, a mechanism the kernel lacks, or a failed netlink call.
    @discardableResult
    public func apply(_ grudge: Grudge, mechanism: PartitionMechanism = .auto) throws(NetError) -> Duration {
        let start = ContinuousClock.now
        for node in grudge.nodes where host(of: node) == nil { throw unknownNode(node) }
        if let link = grudge.drops.first(where: { $0.from == Self.clients }) { throw unknownNode(link.from) }
        let resolved = try resolve(mechanism)
        try faults.withLock { state throws(NetError) in
            for (link, used) in state.partitioned.sorted(by: { $0.key < $1.key })
            where !grudge.drops.contains(link) || used != resolved {
                try unblock(link, used, &state)
                state.partitioned[link] = nil
            }
            for link in grudge.drops.sorted() where state.partitioned[link] == nil {
                try block(link, resolved, &state)
                state.partitioned[link] = resolved
            }
        }
        return .now - start
    }

    /// Heals everything: every partition and every shaped link.
    /// - Returns: the latency until the kernel acknowledged the last change.
    @discardableResult
    public func heal() throws(NetError) -> Duration {
        let start = ContinuousClock.now
        try apply(.none)
        try faults.withLock { state throws(NetError) in
            for node in state.shapers.sorted() {
                guard let namespace = namespaces[node] else { continue }
                let link = try namespace.netlink.linkIndex(Self.nodeInterface)
                try namespace.netlink.deleteQdisc(link: link, parent: NetlinkSocket.rootParent)
            }
            state.shapers = []
            state.shaped = [:]
        }
        return .now - start
    }

    /// Shapes the link `from -> to` with `spec` (replacing its previous shaping); `NetemSpec()` clears it.
    ///
    /// A rate alone needs only htb; anything else needs the kernel's netem.
    /// - Returns: the apply latency, from this call to the kernel's acknowledgement.
    /// - Throws: `NetError` (with the remedy) when netem is needed and missing, or for an unknown node.
    @discardableResult
    public func setNetem(from: String, to: String, _ spec: NetemSpec) throws(NetError) -> Duration {
        let start = ContinuousClock.now
        guard indexes[from] != nil else { throw unknownNode(from) }
        guard host(of: to) != nil, from != to else { throw unknownNode(to) }
        if spec.needsNetem, !(try netemAvailable()) {
            throw .netemUnavailable("shape \(from)->\(to)")
        }
        let table = try spec.distributionTable()
        let link = DirectedLink(from: from, to: to)
        try faults.withLock { state throws(NetError) in
            try ensureShaper(from, &state)
            let namespace = namespaces[from]!
            let interface = try namespace.netlink.linkIndex(Self.nodeInterface)
            let rate = spec.rate ?? Self.unlimited
            try namespace.netlink.replaceHTBClass(link: interface, parent: NetlinkSocket.handle(Self.rootMajor, 0),
                                                  classID: classID(to), rate: rate, ceil: rate)
            let previous = state.shaped[link]
            state.shaped[link] = spec == NetemSpec() ? nil : spec
            guard state.partitioned[link] != .netem else { return }  // the partition wins until it heals
            if spec.needsNetem {
                try namespace.netlink.replaceNetem(link: interface, parent: classID(to), handle: netemHandle(to),
                                                   spec.parameters(), distribution: table)
            } else if previous?.needsNetem == true {
                try namespace.netlink.deleteQdisc(link: interface, parent: classID(to))
            }
        }
        return .now - start
    }

    /// The links dropped now, and by which mechanism.
    public var partitions: [DirectedLink: PartitionMechanism] { faults.withLock { $0.partitioned } }

    /// True when the kernel has netem (probed once in a throw-away namespace).
    public func netemAvailable() throws(NetError) -> Bool {
        if let known = faults.withLock({ $0.netemAvailable }) { return known }
        let available = try QdiscProbe.available("netem")
        faults.withLock { $0.netemAvailable = available }
        return available
    }

    // MARK: - Enforcement

    private func resolve(_ mechanism: PartitionMechanism) throws(NetError) -> PartitionMechanism {
        switch mechanism {
        case .route: return .route
        case .auto: return try netemAvailable() ? .netem : .route
        case .netem:
            guard try netemAvailable() else { throw .netemUnavailable("partition with mechanism netem") }
            return .netem
        }
    }

    private func block(_ link: DirectedLink, _ mechanism: PartitionMechanism, _ state: inout FaultState)
        throws(NetError) {
        let namespace = namespaces[link.from]!
        switch mechanism {
        case .route, .auto:
            try namespace.netlink.addBlackhole("\(address(of: link.to))/32")
        case .netem:
            try ensureShaper(link.from, &state)
            let interface = try namespace.netlink.linkIndex(Self.nodeInterface)
            try namespace.netlink.replaceNetem(link: interface, parent: classID(link.to),
                                               handle: netemHandle(link.to), NetemSpec.blackout.parameters(),
                                               distribution: [])
        }
    }

    private func unblock(_ link: DirectedLink, _ mechanism: PartitionMechanism, _ state: inout FaultState)
        throws(NetError) {
        let namespace = namespaces[link.from]!
        switch mechanism {
        case .route, .auto:
            try namespace.netlink.deleteBlackhole("\(address(of: link.to))/32")
        case .netem:
            let interface = try namespace.netlink.linkIndex(Self.nodeInterface)
            if let standing = state.shaped[link], standing.needsNetem {
                try namespace.netlink.replaceNetem(link: interface, parent: classID(link.to),
                                                   handle: netemHandle(link.to), standing.parameters(),
                                                   distribution: try standing.distributionTable())
            } else {
                try namespace.netlink.deleteQdisc(link: interface, parent: classID(link.to))
            }
        }
    }

    /// Installs the htb tree on `node`'s egress once: root, default class, and a class + u32 filter per peer.
    private func ensureShaper(_ node: String, _ state: inout FaultState) throws(NetError) {
        guard !state.shapers.contains(node), let namespace = namespaces[node] else { return }
        let netlink = namespace.netlink
        let interface = try netlink.linkIndex(Self.nodeInterface)
        let root = NetlinkSocket.handle(Self.rootMajor, 0)
        try netlink.replaceRootHTB(link: interface, major: Self.rootMajor, defaultMinor: 1)
        try netlink.replaceHTBClass(link: interface, parent: root, classID: NetlinkSocket.handle(Self.rootMajor, 1),
                                    rate: Self.unlimited, ceil: Self.unlimited)
        for peer in nodes + [Self.clients] where peer != node {
            try netlink.replaceHTBClass(link: interface, parent: root, classID: classID(peer),
                                        rate: Self.unlimited, ceil: Self.unlimited)
            try netlink.addDestinationFilter(link: interface, parent: root, priority: 1,
                                             destination: host(of: peer)!.bigEndian, classID: classID(peer))
        }
        state.shapers.insert(node)
    }

    /// `1:(0x10+j)` for node j, `1:f` for the clients.
    func classID(_ peer: String) -> UInt32 { NetlinkSocket.handle(Self.rootMajor, 0x10 &+ peerNumber(peer)) }
    /// `(0x100+j):` for node j, `ff:` for the clients.
    func netemHandle(_ peer: String) -> UInt32 { NetlinkSocket.handle(0x100 &+ peerNumber(peer), 0) }
    /// j for node j; "-1" (wrapping) for the clients, so they sit just below node 0.
    private func peerNumber(_ peer: String) -> UInt32 { peer == Self.clients ? UInt32.max : UInt32(indexes[peer]!) }
}
