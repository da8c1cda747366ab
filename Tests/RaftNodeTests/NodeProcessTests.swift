import Foundation
import RaftNode
import RaftNodeHarness
import Testing

/// Real raft-node processes on loopback. Build the binary first: `swift build --product raft-node`
/// (the Makefile's `test` target does this before `swift test`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct NodeProcessTests {
    @Test func leaderKillLosesNoAcknowledgedWriteAndRestartedNodeCatchesUp() throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let cluster = try LocalCluster(binary: binary)
        try cluster.startAll()
        let ids = cluster.members.map(\.id)
        let leader = try #require(cluster.waitForLeader(among: ids, timeout: 10), "no leader elected")

        // 1,000 puts through the leader; remember which were acknowledged.
        let client = NodeHTTPClient(cluster.member(leader).http)
        var acked: [Int] = []
        for i in 0..<1000 {
            if let r = try? client.request("PUT", "/kv/k\(i)", body: "v\(i)"), r.status == 200 { acked.append(i) }
        }
        #expect(acked.count == 1000)

        // SIGKILL the leader: a new one within 3 s.
        cluster.kill(leader)
        let killedAt = Date()
        let survivors = ids.filter { $0 != leader }
        let newLeader = try #require(cluster.waitForLeader(among: survivors, timeout: 3),
                                     "no new leader within 3 s")
        let electionTime = Date().timeIntervalSince(killedAt)
        #expect(electionTime < 3)
        print("new leader \(newLeader) after \(Int(electionTime * 1000)) ms")

        // Every acknowledged put is readable (linearizable read through the new leader).
        let reader = NodeHTTPClient(cluster.member(newLeader).http)
        var missing: [Int] = []
        for i in acked {
            let r = try? reader.request("GET", "/kv/k\(i)")
            if r?.status != 200 || r?.body != "{\"value\":\"v\(i)\"}" { missing.append(i) }
        }
        #expect(missing.isEmpty, "acknowledged puts not readable: \(missing.prefix(10))")

        // Restart the killed node: it catches up (equal commitIndex) within 5 s.
        try cluster.start(leader)
        let restartedAt = Date()
        var caughtUp = false
        while Date().timeIntervalSince(restartedAt) < 5 {
            let mine = cluster.status(leader)?["commitIndex"] as? Int
            let theirs = cluster.status(newLeader)?["commitIndex"] as? Int
            if let mine, let theirs, mine == theirs {
                caughtUp = true
                break
            }
            usleep(20_000)
        }
        #expect(caughtUp, "restarted \(leader) did not reach the leader's commitIndex within 5 s")
        print("restarted node caught up after \(Int(Date().timeIntervalSince(restartedAt) * 1000)) ms")

        // Replicas agree entry by entry up to the common commit index.
        var logs: [String: [String]] = [:]
        var commits: [Int] = []
        for id in ids {
            let r = try NodeHTTPClient(cluster.member(id).http).request("GET", "/raft/log?from=1&to=5000")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])
            commits.append(obj["commitIndex"] as? Int ?? 0)
            let entries = obj["entries"] as? [[String: Any]] ?? []
            logs[id] = entries.map { "\($0["index"]!):\($0["term"]!):\($0["digest"]!)" }
        }
        let common = try #require(commits.min())
        #expect(common >= 1001)
        let reference = Array(logs[ids[0]]!.prefix(common))
        #expect(reference.count == common)
        for id in ids {
            #expect(Array(logs[id]!.prefix(common)) == reference, "\(id)'s log differs below \(common)")
        }
        for id in ids {
            for word in ["panic", "Fatal error", "assertion failed", "crashed"] {
                #expect(!cluster.log(id).contains(word), "\(id) log contains '\(word)'")
            }
        }
    }

    @Test func sigtermExitsCleanlyWithinTwoSeconds() throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let cluster = try LocalCluster(binary: binary)
        try cluster.startAll()
        let ids = cluster.members.map(\.id)
        let leader = try #require(cluster.waitForLeader(among: ids, timeout: 10))
        let client = NodeHTTPClient(cluster.member(leader).http)
        for i in 0..<50 { _ = try? client.request("PUT", "/kv/s\(i)", body: "x") }
        let p = try #require(cluster.processes[leader])
        let start = Date()
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let took = Date().timeIntervalSince(start)
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 0)
        #expect(took < 2)
        #expect(cluster.log(leader).contains("stopped"))
    }

    /// A follower that misses more than the leader keeps gets the state by InstallSnapshot, survives a
    /// restart from that snapshot, and serves every write once it leads.
    @Test func laggingFollowerCatchesUpBySnapshotOverTheWire() throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let cluster = try LocalCluster(binary: binary, extraArgs: ["--snapshot-every", "100"])
        try cluster.startAll()
        let ids = cluster.members.map(\.id)
        let leader = try #require(cluster.waitForLeader(among: ids, timeout: 10))
        let lagging = try #require(ids.first { $0 != leader })
        cluster.kill(lagging)
        let client = NodeHTTPClient(cluster.member(leader).http)
        for i in 0..<500 { _ = try client.request("PUT", "/kv/s\(i % 50)", body: "v\(i)") }
        _ = try client.request("POST", "/log", body: "appended")
        let leaderStatus = try #require(cluster.status(leader))
        #expect((leaderStatus["snapshotIndex"] as? Int ?? 0) > 300)

        try cluster.start(lagging)
        let deadline = Date().addingTimeInterval(5)
        var caughtUp = false
        while Date() < deadline && !caughtUp {
            let mine = cluster.status(lagging)?["appliedIndex"] as? Int
            caughtUp = mine != nil && mine == cluster.status(leader)?["commitIndex"] as? Int
            usleep(20_000)
        }
        #expect(caughtUp)
        #expect(cluster.log(lagging).contains("installed snapshot from leader"))

        // Restart it from its own disk (snapshot + WAL), then make it the only candidate for leader.
        cluster.kill(lagging)
        try cluster.start(lagging)
        usleep(500_000)
        let restarted = try #require(cluster.status(lagging))
        #expect((restarted["snapshotIndex"] as? Int ?? 0) > 300, "restart did not recover the snapshot")
        cluster.kill(leader)
        let other = try #require(ids.first { $0 != leader && $0 != lagging })
        let newLeader = try #require(cluster.waitForLeader(among: [lagging, other], timeout: 5))
        let reader = NodeHTTPClient(cluster.member(newLeader).http)
        for k in 0..<50 {
            let r = try reader.request("GET", "/kv/s\(k)")
            #expect(r.body == "{\"value\":\"v\(450 + k)\"}", "s\(k) on \(newLeader)")
        }
    }

    /// The HTTP contract's error answers: 421 with the leader's address, 404, 400, 413, and 503 without quorum.
    @Test func clientErrorsFollowTheContract() throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let cluster = try LocalCluster(binary: binary)
        try cluster.startAll()
        let ids = cluster.members.map(\.id)
        let leader = try #require(cluster.waitForLeader(among: ids, timeout: 10))
        let follower = try #require(ids.first { $0 != leader })
        let toFollower = NodeHTTPClient(cluster.member(follower).http)
        let misdirected = try toFollower.request("PUT", "/kv/a", body: "1")
        #expect(misdirected.status == 421)
        #expect(misdirected.body.contains("\"leader\":\"\(leader)\""))
        #expect(misdirected.body.contains("\"leaderHttp\":\"\(cluster.member(leader).http)\""))

        let toLeader = NodeHTTPClient(cluster.member(leader).http)
        #expect(try toLeader.request("GET", "/kv/absent").status == 404)
        #expect(try toLeader.request("POST", "/kv/a/cas", body: "{\"from\":1}").status == 400)
        #expect(try toLeader.request("PUT", "/kv/big", body: String(repeating: "x", count: (1 << 20) + 1)).status == 413)
        let put = try toLeader.request("PUT", "/kv/a", body: "1")
        #expect(put.status == 200)
        let cas = try toLeader.request("POST", "/kv/a/cas", body: "{\"from\":\"1\",\"to\":\"2\"}")
        #expect(cas.status == 200 && cas.body.hasPrefix("{\"ok\":true,\"index\":"))
        #expect(try toLeader.request("GET", "/kv/a").body == "{\"value\":\"2\"}")
        let appended = try toLeader.request("POST", "/log", body: "entry")
        #expect(appended.status == 200 && appended.body.hasPrefix("{\"index\":"))

        // Without a quorum the old leader answers 503 within the request deadline (plus slack).
        for id in ids where id != leader { cluster.kill(id) }
        let start = Date()
        let r = try toLeader.request("PUT", "/kv/b", body: "x")
        #expect(r.status == 503)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(r.body.contains("\"error\""))
    }
}
