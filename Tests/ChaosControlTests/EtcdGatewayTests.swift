import Foundation
import Testing
@testable import ChaosControl

/// Reading etcd 3.4's JSON gateway replies, on replies captured from a real three-member etcd 3.4.23 cluster.
@Suite struct EtcdGatewayTests {
    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// n1 (member 8645782499530242234) while n2 (7236638617173681713) leads.
    static let follower = #"""
        {"header":{"cluster_id":"15053662732085102721","member_id":"8645782499530242234","revision":"4",
        "raft_term":"2"},"version":"3.4.23","dbSize":"24576","leader":"7236638617173681713","raftIndex":"13",
        "raftTerm":"2","raftAppliedIndex":"13","dbSizeInUse":"16384"}
        """#
    static let leader = #"""
        {"header":{"cluster_id":"15053662732085102721","member_id":"7236638617173681713","revision":"4",
        "raft_term":"2"},"version":"3.4.23","dbSize":"20480","leader":"7236638617173681713","raftIndex":"13",
        "raftTerm":"2","raftAppliedIndex":"13","dbSizeInUse":"16384"}
        """#
    /// n1 alone after both peers were killed: `leader` is omitted (it is zero).
    static let leaderless = #"""
        {"header":{"cluster_id":"15053662732085102721","member_id":"8645782499530242234","revision":"4",
        "raft_term":"2"},"version":"3.4.23","dbSize":"24576","raftIndex":"13","raftTerm":"2",
        "raftAppliedIndex":"13","errors":["etcdserver: no leader"],"dbSizeInUse":"16384"}
        """#
    /// n1 of a fresh cluster, nothing written yet (revision 1).
    static let fresh = #"""
        {"header":{"cluster_id":"15053662732085102721","member_id":"8645782499530242234","revision":"1",
        "raft_term":"2"},"version":"3.4.23","dbSize":"24576","leader":"7236638617173681713","raftIndex":"8",
        "raftTerm":"2","raftAppliedIndex":"8","dbSizeInUse":"24576"}
        """#
    static let names = ["7236638617173681713": "n2", "8645782499530242234": "n1"]

    @Test(arguments: [
        (follower, NodeStatus(role: .follower, term: 2, leader: "n2", commitIndex: 13, appliedIndex: 13)),
        (leader, NodeStatus(role: .leader, term: 2, leader: "n2", commitIndex: 13, appliedIndex: 13)),
        (leaderless, NodeStatus(role: .unknown, term: 2, leader: nil, commitIndex: 13, appliedIndex: 13)),
        (fresh, NodeStatus(role: .follower, term: 2, leader: "n2", commitIndex: 8, appliedIndex: 8)),
    ])
    func statusReplies(_ text: String, _ expected: NodeStatus) throws {
        let reply = try #require(EtcdStatusReply(json: Self.json(text)))
        #expect(reply.nodeStatus { Self.names[$0] } == expected)
    }

    @Test func statusRevisionAndIdsStayStrings() throws {
        let reply = try #require(EtcdStatusReply(json: Self.json(Self.follower)))
        #expect(reply.memberID == "8645782499530242234")
        #expect(reply.leaderID == "7236638617173681713")
        #expect(reply.revision == 4)
        #expect(EtcdStatusReply(json: Self.json(#"{"error":"etcdserver: request timed out","code":14}"#)) == nil)
    }

    @Test func memberListNamesMembers() {
        let list = Self.json(#"""
            {"header":{"cluster_id":"15053662732085102721","member_id":"8645782499530242234","raft_term":"2"},
            "members":[{"ID":"7236638617173681713","name":"n2","peerURLs":["http://127.0.0.1:23811"],
            "clientURLs":["http://127.0.0.1:23810"]},{"ID":"8645782499530242234","name":"n1",
            "peerURLs":["http://127.0.0.1:23801"],"clientURLs":["http://127.0.0.1:23800"]},
            {"ID":"11519586235586581109","peerURLs":["http://127.0.0.1:23821"]}]}
            """#)
        let members = list["members"] as? [[String: Any]] ?? []
        // The third member has not started yet, so it has no name.
        #expect(EtcdMembers.parse(members) == Self.names)
    }

    /// A watch from revision 1 after put k0, put k1, put k0, delete k1, split across body parts mid-line.
    static let watch = #"""
        {"result":{"header":{"cluster_id":"15053662732085102721","member_id":"8645782499530242234","revision":"5","raft_term":"2"},"created":true}}
        {"result":{"header":{"cluster_id":"15053662732085102721","member_id":"8645782499530242234","revision":"5","raft_term":"2"},"events":[{"kv":{"key":"azA=","create_revision":"2","mod_revision":"2","version":"1","value":"MQ=="}},{"kv":{"key":"azE=","create_revision":"3","mod_revision":"3","version":"1","value":"Mg=="}},{"kv":{"key":"azA=","create_revision":"2","mod_revision":"4","version":"2","value":"Mw=="}},{"type":"DELETE","kv":{"key":"azE=","mod_revision":"5"}}]}}

        """#

    @Test func watchStreamYieldsOneEntryPerRevision() throws {
        let bytes = Array(Self.watch.utf8)
        let stream = EtcdWatch.Stream(through: 5)
        #expect(stream.consume(Array(bytes[..<200])) == false)
        #expect(stream.consume(Array(bytes[200..<300])) == false)
        #expect(stream.consume(Array(bytes[300...])) == true)
        let entries = try #require(stream.revisions().flatMap { EtcdRevisionLog.entries($0, through: 5) })
        #expect(entries.map(\.index) == [2, 3, 4, 5])
        #expect(Set(entries.map(\.digest)).count == 4)

        // Another member with a different value at revision 4 differs there and only there.
        let other = EtcdWatch.Stream(through: 5)
        _ = other.consume(Array(Self.watch.replacingOccurrences(of: "Mw==", with: "NA==").utf8))
        let theirs = try #require(other.revisions().flatMap { EtcdRevisionLog.entries($0, through: 5) })
        #expect(zip(entries, theirs).map { $0.digest == $1.digest } == [true, true, false, true])
    }

    @Test func watchStreamShortOfTheRevisionOrCanceledGivesNothing() {
        let short = EtcdWatch.Stream(through: 6)
        #expect(short.consume(Array(Self.watch.utf8)) == false)
        #expect(short.revisions() == nil)
        let canceled = EtcdWatch.Stream(through: 5)
        #expect(canceled.consume(Array(#"{"result":{"canceled":true,"compact_revision":"3"}}"#.utf8 + [10])))
        #expect(canceled.revisions() == nil)
    }

    @Test func launchCommandNamesMembersAndMapsTimings() {
        let nodes = (1...3).map { NodeAddress(id: "n\($0)", host: "10.77.0.1\($0)", peerPort: 7000, clientPort: 8000) }
        let system = EtcdSystem(binary: "/usr/bin/etcd", electionTimeout: .milliseconds(500),
                                heartbeat: .milliseconds(50), snapshotEvery: 1000,
                                extraArguments: ["--quota-backend-bytes", "1"])
        let command = system.command(for: nodes[1], cluster: nodes, dataDirectory: "/run/n2/data")
        let args = command.arguments
        func value(_ flag: String) -> String? { args.firstIndex(of: flag).map { args[$0 + 1] } }
        #expect(command.executable == "/usr/bin/etcd")
        #expect(value("--name") == "n2")
        #expect(value("--data-dir") == "/run/n2/data")
        #expect(value("--listen-peer-urls") == "http://10.77.0.12:7000")
        #expect(value("--initial-advertise-peer-urls") == "http://10.77.0.12:7000")
        #expect(value("--listen-client-urls") == "http://10.77.0.12:8000")
        #expect(value("--advertise-client-urls") == "http://10.77.0.12:8000")
        #expect(value("--initial-cluster")
                == "n1=http://10.77.0.11:7000,n2=http://10.77.0.12:7000,n3=http://10.77.0.13:7000")
        #expect(value("--initial-cluster-state") == "new")
        #expect(value("--election-timeout") == "500")
        #expect(value("--heartbeat-interval") == "50")
        #expect(value("--snapshot-count") == "1000")
        #expect(args.suffix(2) == ["--quota-backend-bytes", "1"])
    }
}
