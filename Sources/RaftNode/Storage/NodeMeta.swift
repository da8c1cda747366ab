/// The identity a data directory belongs to, in `DIR/meta`: the node id and a cluster id derived from the
/// sorted member ids. A node started with a data dir of another node or cluster refuses to run.
struct NodeMeta: Equatable, Sendable {
    var nodeID: String
    var clusterID: String

    init(nodeID: String, members: [String]) {
        self.nodeID = nodeID
        let h = fnv1a(members.sorted().joined(separator: ","))
        let s = String(h, radix: 16)
        self.clusterID = String(repeating: "0", count: max(0, 16 - s.count)) + s
    }

    init(nodeID: String, clusterID: String) {
        self.nodeID = nodeID
        self.clusterID = clusterID
    }

    var fileText: String { "node=\(nodeID)\ncluster=\(clusterID)\n" }

    static func parse(_ text: String) -> NodeMeta? {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        guard let n = fields["node"], let c = fields["cluster"] else { return nil }
        return NodeMeta(nodeID: String(n), clusterID: String(c))
    }

    /// Checks `DIR/meta` against this identity without writing anything.
    /// - Returns: true when the file exists and matches, false when there is no meta file yet.
    /// - Throws: `RaftNodeError.dataDir` when the directory belongs to another node or cluster.
    func check(dataDir: String) throws -> Bool {
        let path = dataDir + "/meta"
        guard FileIO.exists(path) else { return false }
        let text = String(decoding: try FileIO.readFile(path), as: UTF8.self)
        guard let found = NodeMeta.parse(text) else {
            throw RaftNodeError(.dataDir, "data dir \(dataDir): unreadable meta file; use an empty data dir")
        }
        if found.nodeID != nodeID {
            throw RaftNodeError(.dataDir, "data dir \(dataDir) belongs to node '\(found.nodeID)', not '\(nodeID)'; "
                + "use that node's id or another data dir")
        }
        if found.clusterID != clusterID {
            throw RaftNodeError(.dataDir, "data dir \(dataDir) belongs to cluster \(found.clusterID), not "
                + "\(clusterID) (another member list); use the same --peer list or another data dir")
        }
        return true
    }
}
