import Foundation
import RaftNode
import RaftNodeHarness
import Testing

/// `/admin/members` on real raft-node processes: a node started outside the initial members joins as a learner
/// and becomes a voter, the leader removes itself and steps down, and the configuration survives a restart.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MembershipProcessTests {
    static func members(_ cluster: LocalCluster, _ id: String) -> [String: Any]? {
        guard let r = try? NodeHTTPClient(cluster.member(id).http, timeoutMs: 500).request("GET", "/admin/members"),
              r.status == 200 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
    }

    static func voters(_ view: [String: Any]?) -> [String] {
        ((view?["members"] as? [[String: Any]]) ?? []).filter { $0["voter"] as? Bool == true }
            .compactMap { $0["id"] as? String }.sorted()
    }

    static func waitUntil(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func joinPromoteRemoveLeaderAndRestart() throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let cluster = try LocalCluster(binary: binary, size: 4, extraArgs: ["--initial-members", "n1,n2,n3"])
        try cluster.startAll()
        let founders = ["n1", "n2", "n3"]
        let leader = try #require(cluster.waitForLeader(among: founders, timeout: 10), "no leader elected")
        #expect(Self.voters(Self.members(cluster, leader)) == founders)
        let admin = NodeHTTPClient(cluster.member(leader).http)
        for i in 0..<200 { _ = try? admin.request("PUT", "/kv/k\(i)", body: "v\(i)") }

        // A follower refuses changes and names the leader; a malformed body is a 400.
        let follower = try #require(founders.first { $0 != leader })
        let n4 = cluster.member("n4")
        let body = "{\"id\":\"n4\",\"raft\":\"\(n4.raft)\",\"http\":\"\(n4.http)\"}"
        #expect(try NodeHTTPClient(cluster.member(follower).http).request("POST", "/admin/members", body: body)
            .status == 421)
        #expect(try admin.request("POST", "/admin/members", body: "{\"id\":\"n4\"}").status == 400)

        // n4 (outside --initial-members) joins as a learner and is promoted once it has caught up.
        let added = try admin.request("POST", "/admin/members", body: body)
        #expect(added.status == 200, "\(added.body)")
        #expect(added.body.contains("\"learner\":true"))
        #expect(Self.waitUntil(10) { Self.voters(Self.members(cluster, leader)) == ["n1", "n2", "n3", "n4"] },
                "n4 was not promoted: \(Self.members(cluster, leader) ?? [:])")
        #expect(try admin.request("PUT", "/kv/after", body: "x").status == 200)
        #expect(Self.waitUntil(5) { (cluster.status("n4")?["appliedIndex"] as? Int ?? 0) >= 203 })
        #expect(try admin.request("POST", "/admin/members", body: body).status == 400, "already a member")

        // The leader removes itself: it commits the removal, steps down, and the others elect a leader.
        let removed = try admin.request("DELETE", "/admin/members/\(leader)")
        #expect(removed.status == 200, "\(removed.body)")
        let rest = ["n1", "n2", "n3", "n4"].filter { $0 != leader }
        let next = try #require(cluster.waitForLeader(among: rest, timeout: 10), "no leader after the removal")
        #expect(Self.voters(Self.members(cluster, next)) == rest)
        #expect(Self.waitUntil(3) { cluster.status(leader)?["role"] as? String != "leader" })
        #expect(try NodeHTTPClient(cluster.member(next).http).request("PUT", "/kv/k", body: "v").status == 200)

        // The configuration is durable: a restarted member comes back with it, not with its flags'.
        let other = try #require(rest.first { $0 != next })
        cluster.kill(other)
        try cluster.start(other)
        #expect(Self.waitUntil(10) { Self.voters(Self.members(cluster, other)) == rest },
                "\(other) after restart: \(Self.members(cluster, other) ?? [:])")
        #expect(cluster.log(leader).contains("this node is not a member"))
        for id in ["n1", "n2", "n3", "n4"] {
            for word in ["panic", "Fatal error", "assertion failed"] {
                #expect(!cluster.log(id).contains(word), "\(id) log contains '\(word)'")
            }
        }
    }
}
