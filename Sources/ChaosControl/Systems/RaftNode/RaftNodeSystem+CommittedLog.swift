import ChaosHistory

/// raft-node serves its entries' contents from `GET /raft/log?from=I&to=J&contents=1`.
extension RaftNodeSystem: CommittedLogSource {
    public var firstCommittedIndex: Int64 { 1 }

    public func committedEntries(of node: NodeAddress, after: Int64, limit: Int, via endpoint: HTTPEndpoint,
                                 timeout: Duration) async -> CommittedPage? {
        let path = "/raft/log?from=\(after + 1)&to=\(after + Int64(limit))&contents=1"
        guard let response = try? await endpoint.request(.GET, path, timeout: timeout), response.status == 200,
              let json = response.json, let commitIndex = int64(json["commitIndex"]),
              let page = json["entries"] as? [[String: Any]]
        else { return nil }
        var entries: [CommittedEntry] = []
        for object in page {
            // The node's log runs past its commit index; only what it has committed is known to stay.
            guard let index = int64(object["index"]), index <= commitIndex, let term = int64(object["term"]) else {
                continue
            }
            let op = (object["op"] as? String).flatMap(CommittedEntry.Op.init(rawValue:)) ?? .other
            entries.append(CommittedEntry(index: index, term: term, node: node.id, op: op,
                                          key: object["key"] as? String, value: object["value"] as? String,
                                          expected: object["expected"] as? String))
        }
        return CommittedPage(entries: entries, commitIndex: commitIndex)
    }
}
