import ChaosClient
import ChaosControl
import ChaosPlan
import Foundation
import Testing

/// The workload reaches a system only through its client in ChaosClient: every system the registry knows must
/// have one, or a run of it would stop at its first operation.
@Suite struct ClientProvidingTests {
    /// The repository's root, for the shipped adapter file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test(arguments: ClusterSpec.System.allCases)
    func everyRegisteredSystemHasAClient(_ system: ClusterSpec.System) throws {
        let cluster = system == .custom
            ? "system: custom, binary: raft-node, adapter: \(Self.root)/adapters/raft-node.yaml"
            : "system: \(system.rawValue)"
        let plan = try PlanLoader.parse("""
            name: p
            duration: 5s
            cluster: { \(cluster), nodes: 3 }
            workload: { kind: register }
            """, file: "\(Self.root)/plans/p.yaml")
        let adapter = SystemRegistry.registration(for: system).makeAdapter(plan.cluster, "/bin/true")
        let provider = try #require(adapter as? any ClientProviding, "\(system) has no client in ChaosClient")
        let nodes = (1...3).map {
            NodeAddress(id: "n\($0)", host: "127.0.0.1", peerPort: 1000 + $0, clientPort: 2000 + $0)
        }
        let session = provider.makeClient(cluster: nodes)
        #expect(nodes.map(\.id).contains(session.currentNode))
        session.close()
    }
}
