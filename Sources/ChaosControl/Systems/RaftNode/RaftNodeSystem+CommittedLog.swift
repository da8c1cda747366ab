import ChaosHistory

/// raft-node serves its entries' contents from `GET /raft/log?from=I&to=J&contents=1`.
extension RaftNodeSystem: CommittedLogSource {
    public var firstCommittedIndex: Int64 { 1 }

    public func committedEntries(of node: NodeAddress, after: Int64, limit: Int, via endpoint: HTTPEndpoint,
                                 timeout: Duration) async -> CommittedPage? {
        let path = "/raft/log?from=\(after + 1)&to=\(after + Int64(limit))&contents=1"
        guard let response = try? await endpoint.request(.GET, path, timeout: timeout), response.status == 200,
              let json = response.fields, let commitIndex = json["commitIndex"]?.intValue,
              case .vector(let page)? = json["entries"]
        else { return nil }
        var entries: [CommittedEntry] = []
        entries.reserveCapacity(page.count)
        for item in page {
            // The node's log runs past its commit index; only what it has committed is known to stay.
            guard case .map(let object) = item, let index = object["index"]?.intValue, index <= commitIndex,
                  let term = object["term"]?.intValue
            else { continue }
            let op = object["op"]?.stringValue.flatMap(CommittedEntry.Op.init(rawValue:)) ?? .other
            entries.append(CommittedEntry(index: index, term: term, node: node.id, op: op,
                                          key: object["key"]?.stringValue, value: object["value"]?.stringValue,
                                          expected: object["expected"]?.stringValue))
        }
        return CommittedPage(entries: entries, commitIndex: commitIndex)
    }
}
