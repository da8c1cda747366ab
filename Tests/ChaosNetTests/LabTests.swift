import ChaosPlan
import Foundation
import Testing
@testable import ChaosNet

#if canImport(Glibc)
import Glibc
#endif

/// The lab for real, as root: namespaces, bridge, veths, partitions by unreachable route, shaping, cleanup.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: NetProbe.isRoot, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct LabTests {
    let nodes = ["n1", "n2", "n3"]

    @Test func nodesGetTheirAddressesAndNamespaces() throws {
        let lab = try Lab.create(nodes: nodes, subnet: "10.78.0.0/24")
        defer { lab.teardown() }
        #expect(lab.address(of: "n1") == "10.78.0.11")
        #expect(lab.address(of: "n3") == "10.78.0.13")
        let shown = NetProbe.inside(lab.namespacePath(of: "n2"), ["ip", "-o", "-4", "addr", "show", "dev", "eth0"])
        #expect(shown.contains("10.78.0.12/24"), "ip addr in n2's namespace: \(shown)")
        let bridge = NetProbe.inside(lab.labNamespacePath, ["ip", "-o", "link", "show", "master", Lab.bridgeName])
        #expect(bridge.components(separatedBy: "\n").filter { $0.contains("veth") }.count == 3, "\(bridge)")
        #expect(lab.namespacePath(of: "n1") != lab.namespacePath(of: "n2"))
    }

    @Test func isolateOneWayAndHealWithRoutes() throws {
        let lab = try Lab.create(nodes: nodes)
        defer { lab.teardown() }
        let listeners = try NetProbe.listen(in: lab)
        defer { listeners.close() }
        try expectFullMesh(lab, listeners)

        try lab.apply(PartitionSpec.Shape.isolate.grudge(nodes: nodes, isolating: ["n1"]), mechanism: .route)
        for peer in ["n2", "n3"] {
            #expect(!NetProbe.tcp(lab, from: "n1", to: peer), "n1 reaches \(peer) while isolated")
            #expect(!NetProbe.tcp(lab, from: peer, to: "n1"), "\(peer) reaches n1 while isolated")
        }
        #expect(NetProbe.tcp(lab, from: "n2", to: "n3"))
        #expect(NetProbe.tcp(lab, from: nil, to: "n1"), "client traffic from the controller stays clean")
        let routes = NetProbe.inside(lab.namespacePath(of: "n1"), ["ip", "route"])
        #expect(routes.contains("unreachable 10.77.0.12"), "routes in n1: \(routes)")

        try lab.apply(PartitionSpec.Shape.oneWay(from: "n1", to: "n2").grudge(nodes: nodes), mechanism: .route)
        #expect(!NetProbe.udp(lab, listeners, from: "n1", to: "n2"), "n1->n2 must be dropped")
        #expect(NetProbe.udp(lab, listeners, from: "n2", to: "n1"), "n2->n1 must still arrive")
        #expect(NetProbe.udp(lab, listeners, from: "n1", to: "n3"))
        #expect(lab.partitions == [DirectedLink(from: "n1", to: "n2"): .route])

        try lab.heal()
        #expect(lab.partitions.isEmpty)
        try expectFullMesh(lab, listeners)
        let healed = NetProbe.inside(lab.namespacePath(of: "n1"), ["ip", "route"])
        #expect(!healed.contains("unreachable"), "routes in n1 after heal: \(healed)")
    }

    @Test func controllerConnectsToNodesFromTheLabNamespace() throws {
        let lab = try Lab.create(nodes: nodes)
        defer { lab.teardown() }
        let listeners = try NetProbe.listen(in: lab)
        defer { listeners.close() }
        let fd = try lab.connect(to: "n2", port: NetProbe.tcpPort)
        defer { close(fd) }
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        #expect(rc == 0)
        #expect(Subnet.format(UInt32(bigEndian: peer.sin_addr.s_addr)) == "10.77.0.12")
        #expect(throws: NetError.self) { try lab.connect(to: "n2", port: 7999, timeout: .milliseconds(300)) }
    }

    @Test func netemDetectionMatchesTheKernel() throws {
        // The oracle: does tc manage to add a netem qdisc in a scratch namespace?
        let oracle = NetProbe.run(["unshare", "-n", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay",
                                   "1ms"]).status == 0
        let lab = try Lab.create(nodes: nodes)
        defer { lab.teardown() }
        #expect(try lab.netemAvailable() == oracle)
        try lab.apply(PartitionSpec.Shape.isolate.grudge(nodes: nodes, isolating: ["n3"]), mechanism: .auto)
        #expect(Set(lab.partitions.values) == [oracle ? .netem : .route])
        try lab.heal()
        if !oracle {
            let error = #expect(throws: NetError.self) {
                try lab.setNetem(from: "n1", to: "n2", NetemSpec(delay: .milliseconds(50)))
            }
            #expect(error?.description.contains("CONFIG_NET_SCH_NETEM") == true, "\(String(describing: error))")
            #expect(throws: NetError.self) {
                try lab.apply(PartitionSpec.Shape.halves.grudge(nodes: nodes), mechanism: .netem)
            }
        }
    }

    @Test func rateShapingUsesHTBClassesAndU32Filters() throws {
        let lab = try Lab.create(nodes: nodes)
        defer { lab.teardown() }
        try lab.setNetem(from: "n1", to: "n2", NetemSpec(rate: 125_000))
        let path = lab.namespacePath(of: "n1")
        let classes = NetProbe.inside(path, ["tc", "class", "show", "dev", "eth0"])
        #expect(classes.contains("class htb 1:11") && classes.contains("rate 1Mbit"), "classes in n1: \(classes)")
        let filters = NetProbe.inside(path, ["tc", "filter", "show", "dev", "eth0"])
        #expect(filters.contains("0a4d000c/ffffffff at 16"), "filters in n1: \(filters)")
        #expect(filters.contains("flowid 1:11"), "filters in n1: \(filters)")
        try lab.heal()
        let qdiscs = NetProbe.inside(path, ["tc", "qdisc", "show", "dev", "eth0"])
        #expect(!qdiscs.contains("htb"), "qdiscs in n1 after heal: \(qdiscs)")
    }

    @Test func teardownLeavesNothingBehind() throws {
        let linksBefore = NetProbe.run(["ip", "-o", "link"]).output
        let routesBefore = NetProbe.run(["ip", "route"]).output
        let lab = try Lab.create(nodes: nodes)
        let ours = Set(([lab.labNamespacePath] + nodes.map(lab.namespacePath)).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: $0)
        })
        #expect(ours.count == 4)
        try lab.apply(PartitionSpec.Shape.halves.grudge(nodes: nodes), mechanism: .route)
        try lab.setNetem(from: "n2", to: "n3", NetemSpec(rate: 1_000_000))
        let holders = lab.holderPIDs
        lab.teardown()
        lab.teardown()  // twice is harmless

        let deadline = ContinuousClock.now + .seconds(5)
        while holders.contains(where: { FileManager.default.fileExists(atPath: "/proc/\($0)/ns/net") }),
              ContinuousClock.now < deadline {
            usleep(20_000)
        }
        for pid in holders {
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)/ns/net"), "holder \(pid) still alive")
        }
        #expect(NetProbe.namespaceInodes().intersection(ours).isEmpty, "a lab namespace is still held")
        #expect(NetProbe.run(["ip", "-o", "link"]).output == linksBefore)
        #expect(NetProbe.run(["ip", "route"]).output == routesBefore)
    }

    @Test func capabilitiesProbeTheKernelInAScratchNamespace() {
        let linksBefore = NetProbe.run(["ip", "-o", "link"]).output
        let capabilities = Capabilities.probe()
        for name in ["root", "netns", "veth", "bridge", "htb", "tbf", "u32"] {
            #expect(capabilities.has(name), "\(name): \(String(describing: capabilities[name]))")
        }
        let oracle = NetProbe.run(["unshare", "-n", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay",
                                   "1ms"]).status == 0
        #expect(capabilities.has("netem") == oracle)
        if !oracle {
            #expect(capabilities.description.contains(
                "netem is not available in this kernel (CONFIG_NET_SCH_NETEM); load sch_netem or use mechanism: route"))
        }
        #expect(NetProbe.run(["ip", "-o", "link"]).output == linksBefore, "the probe touched the host")
    }

    private func expectFullMesh(_ lab: Lab, _ listeners: NetProbe.Listeners,
                                sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        for from in nodes {
            for to in nodes where from != to {
                #expect(NetProbe.tcp(lab, from: from, to: to), "\(from) cannot reach \(to)",
                        sourceLocation: sourceLocation)
            }
            #expect(NetProbe.tcp(lab, from: nil, to: from), "the controller cannot reach \(from)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Namespace jobs may nest (a lab-namespace job that asks for a node's namespace) without deadlocking.
@Suite(.serialized, .timeLimit(.minutes(1)),
       .enabled(if: NetProbe.isRoot, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct NamespaceNestingTests {
    @Test func nestedNamespaceJobsReturnToTheOuterNamespace() throws {
        let lab = try Lab.create(nodes: ["n1", "n2"], subnet: "10.74.0.0/24")
        defer { lab.teardown() }
        let inode = { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net")) ?? "" }
        let (outer, inner, after) = try lab.withLabNamespace {
            let outer = inode()
            let inner = try lab.withNamespace(of: "n1") { inode() }
            return (outer, inner, inode())
        }
        #expect(outer == (try? FileManager.default.destinationOfSymbolicLink(atPath: lab.labNamespacePath)))
        #expect(inner == (try? FileManager.default.destinationOfSymbolicLink(atPath: lab.namespacePath(of: "n1"))))
        #expect(after == outer)
        #expect(inode() != outer, "the calling thread must never change namespace")
    }
}
