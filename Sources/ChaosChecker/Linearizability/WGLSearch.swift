/// How one partition's search ended.
enum SearchOutcome: Sendable, Equatable {
    case linearizable
    case notLinearizable
    case timedOut
    case outOfMemory
    /// Stopped because another partition was proven not linearizable.
    case cancelled
}

/// The Wing & Gong / Lowe linearizability search over one partition, as in Porcupine: a doubly linked list of
/// call and return events; a call is "lifted" out of the list when linearized and put back on backtrack; a
/// cache of (linearized set, state) prunes configurations already explored.
///
/// Resumable: `resume(quantum:)` runs at most a quantum of steps and keeps its place, so a few worker threads
/// can take turns over many partitions and a partition that fails quickly is never stuck behind one that
/// explodes. Generic over the model so `apply` is specialized and inlined; the list, bitset and stack live in
/// raw buffers so the inner loop does no reference counting.
final class WGLSearch<M: SequentialModel>: @unchecked Sendable {
    typealias Outcome = SearchOutcome

    /// The model; moved out while a quantum runs so its tables stay uniquely referenced.
    private var model: M?
    let n: Int
    private let steps: UnsafeMutablePointer<M.Step>
    private let readOnly: UnsafeMutablePointer<Bool>
    /// Step that must be linearized before this one, or -1 (interchangeable twins, the log's write order).
    private let prior: UnsafeMutablePointer<Int32>
    private let next, prev, opOf: UnsafeMutablePointer<Int32>
    private let returnNode: UnsafeMutablePointer<Int32>
    private let words: Int
    private let bits: UnsafeMutablePointer<UInt64>
    private let zobrist: UnsafeMutablePointer<UInt64>
    private let stackNode: UnsafeMutablePointer<Int32>
    private let stackState: UnsafeMutablePointer<Int64>
    private let tail: Int32
    /// Unchecked: the hot loop's `insert` is a modify access, and Swift's dynamic exclusivity check on a class's
    /// stored property cost 7.5 % of a search (perf). Safe: one worker at a time runs a search (the scheduler
    /// hands a partition from worker to worker under a lock), and nothing else touches the cache meanwhile.
    @exclusivity(unchecked) private var cache: StateCache

    private var state: Int64
    private var hash: UInt64 = 0
    private var depth = 0
    private var node: Int32
    private var bestDepth = -1
    private var lowWater = 0  // the lowest the stack has been since `bestPrefix` was recorded
    /// The longest linearizable prefix found, as step indices in linearization order.
    private(set) var bestPrefix: [Int] = []
    /// The model state after `bestPrefix`.
    private(set) var bestState: Int64
    /// Set once the search has ended.
    private(set) var outcome: Outcome?

    /// Configurations cached (distinct states explored); kept when the cache is freed at the end.
    private(set) var explored = 0
    /// How deep the search has gone (operations in the longest linearizable prefix).
    var deepest: Int { max(bestDepth, depth) }

    /// - Parameters:
    ///   - calls: history position of each step's invocation.
    ///   - returns: history position of each step's completion; nil when it is open until the end.
    ///   - order: step indices that must be linearized in this order (the committed order of writes), or empty.
    init(model: M, steps stepList: [M.Step], calls: [Int], returns: [Int?], order: [Int] = []) {
        n = stepList.count
        state = model.initialState
        bestState = state
        steps = .allocate(capacity: max(n, 1))
        steps.initialize(from: stepList, count: n)
        readOnly = .allocate(capacity: max(n, 1))
        for i in 0..<n { readOnly[i] = model.isReadOnly(stepList[i]) }
        self.model = model

        // Events in history order; open-ended returns go after everything, in step order.
        var events: [(position: Int, node: Int32)] = []
        events.reserveCapacity(2 * n)
        for i in 0..<n {
            events.append((calls[i], Int32(i)))
            events.append((returns[i] ?? (Int.max - n + i), ~Int32(i)))
        }
        events.sort { $0.position < $1.position }

        prior = .allocate(capacity: max(n, 1))
        prior.initialize(repeating: -1, count: n)
        var constrained = Array(repeating: false, count: n)
        for (a, b) in zip(order, order.dropFirst()) {
            prior[b] = Int32(a)
            constrained[a] = true
            constrained[b] = true
        }
        // Open-ended ops with the same step are interchangeable: only try them in invocation order (the one
        // invoked first can take any place the later one could). This prunes the factorial blow-up of the
        // timed-out writes that etcd and Jepsen histories are full of. Ops under an order constraint are not
        // interchangeable with others, so they are left out.
        var lastOpen: [M.Step: Int] = [:]
        for event in events where event.node >= 0 && returns[Int(event.node)] == nil {
            let i = Int(event.node)
            if constrained[i] { continue }
            if let previous = lastOpen.updateValue(i, forKey: stepList[i]) { prior[i] = Int32(previous) }
        }

        tail = Int32(2 * n + 1)
        next = .allocate(capacity: 2 * n + 2)
        prev = .allocate(capacity: 2 * n + 2)
        opOf = .allocate(capacity: 2 * n + 2)  // call: op; return: ~op
        returnNode = .allocate(capacity: max(n, 1))
        words = (n + 63) / 64
        bits = .allocate(capacity: max(words, 1))
        bits.initialize(repeating: 0, count: max(words, 1))
        zobrist = .allocate(capacity: max(n, 1))
        for i in 0..<n { zobrist[i] = StateCache.mix(UInt64(i) &* 0xD6E8_FEB8_6659_FD93 &+ 0x1234_5678) }
        stackNode = .allocate(capacity: max(n, 1))
        stackState = .allocate(capacity: max(n, 1))
        next[0] = 1
        prev[0] = -1
        opOf[0] = 0
        for (k, event) in events.enumerated() {
            let node = Int32(k + 1)
            opOf[Int(node)] = event.node
            prev[Int(node)] = node - 1
            next[Int(node)] = node + 1
            if event.node < 0 { returnNode[Int(~event.node)] = node }
        }
        prev[Int(tail)] = tail - 1
        next[Int(tail)] = -1
        opOf[Int(tail)] = 0
        node = next[0]
        cache = StateCache(words: max(words, 1))
        if n == 0 { outcome = .linearizable }
    }

    deinit {
        steps.deinitialize(count: n)
        steps.deallocate()
        for p in [prior, next, prev, opOf, returnNode, stackNode] { p.deallocate() }
        readOnly.deallocate()
        bits.deallocate()
        zobrist.deallocate()
        stackState.deallocate()
    }

    /// The model, for describing states once the search has ended.
    var finalModel: M { model! }
    /// Step `i` as the search holds it (to replay the best prefix for the counterexample's states).
    func step(_ i: Int) -> M.Step { steps[i] }

    /// Runs up to `quantum` steps; returns the outcome once the search has ended, nil when it paused.
    /// Polls `budget.cutoff` every 1,024 steps: a partition larger than the cutoff stops.
    func resume(quantum: Int, budget: SearchBudget) -> Outcome? {
        if let outcome { return outcome }
        if n > budget.cutoff {
            return finish(budget.stop == .time ? .timedOut : budget.stop == .memory ? .outOfMemory : .cancelled)
        }
        var model = self.model.take()!
        defer { self.model = model }
        // Locals for the hot loop; written back when the quantum ends.
        var state = state, hash = hash, depth = depth, node = node
        let (next, prev, opOf, returnNode, bits, zobrist) = (next, prev, opOf, returnNode, bits, zobrist)
        let (stackNode, stackState, steps, readOnly, prior, tail) = (stackNode, stackState, steps, readOnly, prior, tail)
        var iterations = 0
        defer {
            self.state = state
            self.hash = hash
            self.depth = depth
            self.node = node
        }
        func stopped() -> Outcome? {
            guard n > budget.cutoff else { return nil }
            switch budget.stop {
            case .time: return .timedOut
            case .memory: return .outOfMemory
            case .proven, .none: return .cancelled
            }
        }

        while node != tail {
            iterations &+= 1
            if iterations & 0x3FF == 0 {
                // The watch thread moves the cutoff at the deadline; reading the clock now and then as well
                // keeps the limit when a loaded machine is slow to schedule the watch.
                if iterations & 0x3FFF == 0 && budget.expired { budget.stopAll(.time) }
                if let stop = stopped() { return finish(stop) }
                if iterations >= quantum { return nil }
            }
            let op = opOf[Int(node)]
            var backtrack = op < 0
            if op >= 0 {
                let i = Int(op)
                let t = Int(prior[i])
                if t >= 0 && bits[t >> 6] & (1 << UInt64(t & 63)) == 0 {
                    node = next[Int(node)]
                    continue
                }
                if let after = model.apply(steps[i], to: state) {
                    bits[i >> 6] |= 1 << UInt64(i & 63)
                    hash ^= zobrist[i]
                    switch cache.insert(bits, hash: hash, state: after, budget: budget, size: n) {
                    case .added:
                        stackNode[depth] = node
                        stackState[depth] = state
                        depth += 1
                        state = after
                        // Lift the call and its return out of the list.
                        let r = returnNode[i]
                        next[Int(prev[Int(node)])] = next[Int(node)]
                        prev[Int(next[Int(node)])] = prev[Int(node)]
                        next[Int(prev[Int(r)])] = next[Int(r)]
                        prev[Int(next[Int(r)])] = prev[Int(r)]
                        node = next[0]
                        continue
                    case .full:
                        bits[i >> 6] &= ~(1 << UInt64(i & 63))
                        hash ^= zobrist[i]
                        if budget.cutoff >= n { budget.stopAll(.memory) }
                        return finish(stopped() ?? .outOfMemory)
                    case .present:
                        bits[i >> 6] &= ~(1 << UInt64(i & 63))
                        hash ^= zobrist[i]
                        backtrack = readOnly[i]  // that configuration already failed, so this one does
                    }
                }
                if !backtrack {
                    node = next[Int(node)]
                    continue
                }
            }
            // A return whose call is not linearized yet (or a dead read-only step): backtrack.
            if depth > bestDepth {
                // Copy only what changed since the last record: the stack below `lowWater` is the same.
                bestDepth = depth
                bestPrefix.removeLast(bestPrefix.count - min(lowWater, bestPrefix.count))
                for k in bestPrefix.count..<depth { bestPrefix.append(Int(opOf[Int(stackNode[k])])) }
                bestState = state
                lowWater = depth
            }
            while true {
                if depth == 0 { return finish(.notLinearizable) }
                depth -= 1
                if depth < lowWater { lowWater = depth }
                let c = stackNode[depth]
                state = stackState[depth]
                let i = Int(opOf[Int(c)])
                bits[i >> 6] &= ~(1 << UInt64(i & 63))
                hash ^= zobrist[i]
                // Unlift in reverse order of lifting.
                let r = returnNode[i]
                prev[Int(next[Int(r)])] = r
                next[Int(prev[Int(r)])] = r
                prev[Int(next[Int(c)])] = c
                next[Int(prev[Int(c)])] = c
                node = next[Int(c)]
                if !readOnly[i] { break }
            }
        }
        return finish(.linearizable)
    }

    /// Records the outcome and frees the cache at once: a finished partition must not hold memory that the
    /// ones still searching need.
    private func finish(_ outcome: Outcome) -> Outcome {
        self.outcome = outcome
        explored = cache.count
        let stopped = outcome == .timedOut || outcome == .outOfMemory || outcome == .cancelled
        if stopped && cache.bytes > 64 << 20 {
            // The verdict is decided without this partition: let the kernel unmap its table off the clock.
            cache.freeInBackground()
        } else {
            cache = StateCache(words: 1)
        }
        return outcome
    }
}
