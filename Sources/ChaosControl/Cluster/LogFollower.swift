import ChaosHistory
import Foundation
import Synchronization

/// Follows every node's committed log while the run goes, before snapshots compact it away, into the run
/// directory's `log.jsonl` (one `CommittedEntry` per line).
///
/// Each index is written once, from the first node that served it; a later reading that disagrees (another
/// replica, or the same one after a restart) is written too, so the checker can report the contradiction.
/// Indexes no node served before compacting them, and a tail no node could be asked about at the end, are
/// written as `missing` ranges: the checker then knows the log is not the whole story.
///
/// Memory stays bounded however long the run: first readings are kept for comparison only for the latest
/// `window` indexes; a reading of an older index (a node that was down catches up) is written as it is, and the
/// checker, which merges every reading of an index, compares it. Which indexes were read at all is kept as
/// ranges (one per hole).
public final class LogFollower: Sendable {
    private struct State {
        var cursor: [String: Int64] = [:]  // node → highest index read from it
        /// The first reading of each index from `windowStart` on, to compare later readings against.
        var recent: [Int64: CommittedEntry] = [:]
        var windowStart: Int64 = .min
        /// Every index read so far, as disjoint ranges in order.
        var read = IndexRanges()
        var highest: Int64 = 0
    }

    /// First readings kept for comparison (a few hundred bytes each): enough for any replica that keeps up.
    static let window = 20_000

    private let cluster: Cluster
    private let source: any CommittedLogSource
    private let path: String
    private let handle: Mutex<FileHandle?>
    private let state = Mutex(State())
    /// One connection per node for the whole run (it reconnects after a restart), as the sampler keeps: a new
    /// one every poll was four TCP connections a second per node.
    private let endpoints = Mutex<[String: HTTPEndpoint]>([:])
    private let pageSize = 2000

    /// - Throws: when `path` cannot be created.
    public init(cluster: Cluster, source: any CommittedLogSource, path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.cluster = cluster
        self.source = source
        self.path = path
        handle = Mutex(file)
    }

    /// Polls every node every `interval` until cancelled.
    public func run(interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            _ = await poll(timeout: .milliseconds(500))
            try? await Task.sleep(for: interval)
        }
    }

    /// A last pass over every answering node, then the holes; closes the file.
    /// - Returns: the path of `log.jsonl`.
    @discardableResult
    public func finish(timeout: Duration = .seconds(5)) async -> String {
        let answered = await poll(timeout: timeout, untilCaughtUp: true)
        let missing = state.withLock { state -> [CommittedEntry] in
            var out: [CommittedEntry] = []
            let first = source.firstCommittedIndex
            for hole in state.read.holes(from: first, through: state.highest) {
                out.append(CommittedEntry(index: hole.lowerBound, term: 0, node: "follower", op: .missing,
                                          through: hole.upperBound))
            }
            if answered == 0 {
                // Nobody could say what was committed last: the tail is unknown.
                out.append(CommittedEntry(index: state.highest + 1, term: 0, node: "follower", op: .missing,
                                          through: .max))
            }
            return out
        }
        write(missing)
        for endpoint in endpoints.withLock({ $0.values }) { endpoint.close() }
        handle.withLock { file in
            try? file?.synchronize()
            try? file?.close()
            file = nil
        }
        return path
    }

    /// Reads each running node's new committed entries in parallel.
    /// - Returns: how many nodes answered.
    private func poll(timeout: Duration, untilCaughtUp: Bool = false) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            for node in cluster.nodes where cluster.isRunning(node.id) && !cluster.isPaused(node.id) {
                group.addTask { await self.follow(node, timeout: timeout, pages: untilCaughtUp ? 1000 : 5) }
            }
            var answered = 0
            for await ok in group where ok { answered += 1 }
            return answered
        }
    }

    private func follow(_ node: NodeAddress, timeout: Duration, pages: Int) async -> Bool {
        let endpoint = endpoints.withLock { all in
            if let known = all[node.id] { return known }
            let made = cluster.makeEndpoint(for: node)
            all[node.id] = made
            return made
        }
        var answered = false
        for _ in 0..<pages {
            let after = state.withLock { $0.cursor[node.id] ?? (source.firstCommittedIndex - 1) }
            guard let page = await source.committedEntries(of: node, after: after, limit: pageSize, via: endpoint,
                                                           timeout: timeout)
            else { return answered }
            answered = true
            let fresh = record(page.entries, from: node.id)
            write(fresh)
            let last = page.entries.last?.index ?? after
            state.withLock { $0.cursor[node.id] = max(after, last) }
            if page.entries.isEmpty || last >= page.commitIndex { break }
        }
        return answered
    }

    /// The readings worth a line: first readings of an index, readings that disagree with the first, and
    /// readings of an index older than the window (the checker compares those).
    private func record(_ entries: [CommittedEntry], from node: String) -> [CommittedEntry] {
        state.withLock { state in
            var out: [CommittedEntry] = []
            for entry in entries {
                if entry.index < state.windowStart {
                    state.read.insert(entry.index)
                    out.append(entry)
                } else if let first = state.recent[entry.index] {
                    if !first.agrees(with: entry) { out.append(entry) }
                } else {
                    state.recent[entry.index] = entry
                    state.read.insert(entry.index)
                    state.highest = max(state.highest, entry.index)
                    out.append(entry)
                }
            }
            if state.recent.count > 2 * Self.window {
                state.windowStart = state.highest - Int64(Self.window)
                state.recent = state.recent.filter { $0.key >= state.windowStart }
            }
            return out
        }
    }

    private func write(_ entries: [CommittedEntry]) {
        guard !entries.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 96)
        for entry in entries { entry.appendJSONLine(to: &bytes) }
        let data = Data(bytes)
        handle.withLock { $0?.write(data) }
    }
}
