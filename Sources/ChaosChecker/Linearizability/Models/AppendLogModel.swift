import ChaosHistory

/// chaos's `append` workload: `append` adds an entry (the invocation's value) and completes with the log index
/// it got; `read` returns the whole log. Indexes must grow with the log order (each append gets a distinct
/// index), and every read must see exactly the entries appended so far, in order.
///
/// States are nodes of a trie of (entry, index) paths; each node also knows its entry-only node so a read
/// compares in O(1).
struct AppendLogModel: SequentialModel {
    enum Step: Hashable {
        /// Entry id and the index it got (nil when unknown).
        case append(Int64, Int64?)
        /// The entry-only trie node the read saw.
        case read(Int64)
    }

    private struct Edge: Hashable {
        var parent: Int64
        var entry: Int64
        var index: Int64
    }

    private var entries = ValueTable()
    private var pathChildren: [Edge: Int64] = [:]
    /// Per path node: its entry-only node, highest known index, parent and entry (for describing).
    private var pathEntryNode: [Int64] = [0]
    private var pathLastIndex: [Int64] = [Int64.min]
    private var entryChildren: [Edge: Int64] = [:]
    private var entryNodeCount: Int64 = 1
    private var entryNodeParent: [Int64] = [-1]
    private var entryNodeEntry: [Int64] = [-1]
    let initialState: Int64 = 0

    mutating func step(for call: ModelCall) throws(CheckerError) -> Step? {
        switch call.f {
        case "append":
            if call.outcome == .fail { return nil }
            let entry = entries.id(call.invoke.value)
            guard call.outcome == .ok else { return .append(entry, nil) }
            guard let index = call.completion?.value.intValue else {
                throw call.error("an ok append must complete with its log index (an integer), found "
                    + EDNWriter.text(call.completion?.value ?? .null))
            }
            return .append(entry, index)
        case "read":
            guard call.outcome == .ok, let value = call.completion?.value, !value.isNull else { return nil }
            guard let log = value.vectorValue else {
                throw call.error("a read must return the whole log as a list, found \(EDNWriter.text(value))")
            }
            var node: Int64 = 0
            for item in log { node = entryChild(node, entries.id(item)) }
            return .read(node)
        default:
            throw call.error("model append-log has no operation '\(call.f)' (it knows append and read)")
        }
    }

    private mutating func entryChild(_ parent: Int64, _ entry: Int64) -> Int64 {
        let edge = Edge(parent: parent, entry: entry, index: 0)
        if let node = entryChildren[edge] { return node }
        let node = entryNodeCount
        entryNodeCount += 1
        entryChildren[edge] = node
        entryNodeParent.append(parent)
        entryNodeEntry.append(entry)
        return node
    }

    mutating func apply(_ step: Step, to state: Int64) -> Int64? {
        switch step {
        case .read(let node):
            return pathEntryNode[Int(state)] == node ? state : nil
        case .append(let entry, let index):
            let last = pathLastIndex[Int(state)]
            if let index, index <= last { return nil }
            let edge = Edge(parent: state, entry: entry, index: index ?? Int64.min)
            if let node = pathChildren[edge] { return node }
            let node = Int64(pathEntryNode.count)
            pathChildren[edge] = node
            pathEntryNode.append(entryChild(pathEntryNode[Int(state)], entry))
            pathLastIndex.append(max(last, index ?? Int64.min))
            return node
        }
    }

    func isReadOnly(_ step: Step) -> Bool { if case .read = step { true } else { false } }

    func describe(_ state: Int64) -> String {
        var items: [String] = []
        var node = pathEntryNode[Int(state)]
        while node > 0 {
            items.append(entries.text(entryNodeEntry[Int(node)]))
            node = entryNodeParent[Int(node)]
        }
        return "[" + items.reversed().joined(separator: " ") + "]"
    }
}
