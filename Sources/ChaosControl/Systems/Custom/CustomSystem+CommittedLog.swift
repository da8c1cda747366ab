import ChaosHistory
import ChaosPlan

/// A custom adapter follows the committed log when its `log:` endpoint maps `op`, `key` and `value` of an entry
/// (docs/adapters.md): the same paged request, read from the entry after the last one read.
extension CustomSystem: CommittedLogSource {
    public var firstCommittedIndex: Int64 { 1 }

    public var servesEntryContents: Bool { definition.log?.contents != nil }

    public func committedEntries(of node: NodeAddress, after: Int64, limit: Int, via endpoint: HTTPEndpoint,
                                 timeout: Duration) async -> CommittedPage? {
        guard let spec = definition.log, let contents = spec.contents else { return nil }
        let request = RequestExpansion(spec.request, values: ["id": node.id, "from": "\(after + 1)",
                                                              "to": "\(after + Int64(limit))"])
        guard let response = try? await endpoint.request(request.method, request.path, body: request.body,
                                                         headers: request.headers, timeout: timeout),
              response.status / 100 == 2, let root = JSONField.root(of: response),
              let page = JSONField.lookup(spec.entries, in: root) as? [Any]
        else { return nil }
        // Without a commit index in the answer, only what the node's status calls committed is taken.
        let commit = spec.commit.flatMap { JSONField.text(JSONField.lookup($0, in: root)) }.flatMap { Int64($0) }
        guard let commitIndex = commit != nil ? commit
                : try? await status(of: node, via: endpoint, timeout: timeout).commitIndex
        else { return nil }
        let text = { (path: FieldPath?, entry: Any) in path.flatMap { JSONField.text(JSONField.lookup($0, in: entry)) } }
        let entries = page.compactMap { entry -> CommittedEntry? in
            guard let index = text(spec.index, entry).flatMap({ Int64($0) }), index <= commitIndex,
                  let term = text(spec.term, entry).flatMap({ Int64($0) }) else { return nil }
            let op = text(contents.op, entry).flatMap { CommittedEntry.Op(rawValue: $0) }
            let kind: CommittedEntry.Op = op == .put || op == .cas ? op! : .other
            return CommittedEntry(index: index, term: term, node: node.id, op: kind,
                                  key: kind == .other ? nil : text(contents.key, entry),
                                  value: kind == .other ? nil : text(contents.value, entry),
                                  expected: kind == .cas ? text(contents.expected, entry) : nil)
        }
        return CommittedPage(entries: entries, commitIndex: commitIndex)
    }
}
