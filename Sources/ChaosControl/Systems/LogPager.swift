import ChaosHistory

/// Reads a node's log digests page by page, for the divergence checker; shared by every adapter whose node
/// serves its log in ranges (raft-node's `/raft/log`, a custom adapter's `log:` endpoint).
enum LogPager {
    /// One answer: the entries it held and, when the node said so, its commit index at that moment.
    struct Page {
        var entries: [NodeLog.Entry]
        var commitIndex: Int64?
    }

    /// Asks for `first...last` and keeps asking after the last entry each page returned.
    ///
    /// - Parameter fetch: one request for the range; nil when the node did not answer usefully.
    /// - Returns: nil when a page failed (the node went silent); an empty page ends early, since a node skips
    ///   entries below what it still holds.
    static func read(node: String, first: Int64, last: Int64, commitIndex: Int64,
                     fetch: (_ from: Int64, _ to: Int64) async -> Page?) async -> NodeLog? {
        var next = first
        var entries: [NodeLog.Entry] = []
        var commitIndex = commitIndex
        while next <= last {
            guard let page = await fetch(next, last) else { return nil }
            commitIndex = page.commitIndex ?? commitIndex
            guard let lastEntry = page.entries.last else { break }
            entries += page.entries
            next = lastEntry.index + 1
        }
        return NodeLog(node: node, commitIndex: commitIndex, entries: entries)
    }
}
