/// The Wing & Gong / Lowe linearizability search over one partition, as in Porcupine: a doubly linked list of
/// call and return events; a call is "lifted" out of the list when linearized and put back on backtrack; a
/// cache of (linearized set, state) prunes configurations already explored.
///
/// Generic over the model so `apply` is specialized and inlined; the list, bitset and stack live in raw
/// buffers so the inner loop does no reference counting.
struct WGLSearch {
    enum Outcome: Sendable, Equatable {
        case linearizable
        case notLinearizable
        case timedOut
        case outOfMemory
    }

    struct Result {
        var outcome: Outcome
        /// Configurations cached (distinct states explored).
        var explored: Int
        /// The longest linearizable prefix found, as step indices in linearization order.
        var bestPrefix: [Int]
        /// The model state after `bestPrefix`.
        var bestState: Int64
    }

    /// Searches for a linearization of `steps`.
    /// - Parameters:
    ///   - calls: history position of each step's invocation.
    ///   - returns: history position of each step's completion; nil when it is open until the end.
    ///   - after: for each step, a step that must be linearized before it (the committed log's order of writes),
    ///     or -1; nil when nothing is ordered.
    static func run<M: SequentialModel>(
        _ model: inout M, steps: [M.Step], calls: [Int], returns: [Int?], budget: SearchBudget, after: [Int]? = nil
    ) -> Result {
        let n = steps.count
        if n == 0 { return Result(outcome: .linearizable, explored: 0, bestPrefix: [], bestState: model.initialState) }

        // Events in history order; open-ended returns go after everything, in step order.
        var events: [(position: Int, node: Int32)] = []
        events.reserveCapacity(2 * n)
        for i in 0..<n {
            events.append((calls[i], Int32(i)))
            events.append((returns[i] ?? (Int.max - n + i), ~Int32(i)))
        }
        events.sort { $0.position < $1.position }

        // Open-ended ops with the same step are interchangeable: only try them in invocation order (the one
        // invoked first can take any place the later one could). This prunes the factorial blow-up of the
        // timed-out writes that etcd and Jepsen histories are full of.
        var twin = Array(repeating: -1, count: n)
        var lastOpen: [M.Step: Int] = [:]
        for event in events where event.node >= 0 && returns[Int(event.node)] == nil {
            let i = Int(event.node)
            if let previous = lastOpen.updateValue(i, forKey: steps[i]) { twin[i] = previous }
        }
        // A required predecessor is enforced as a twin is: the step waits until it is linearized.
        if let after { for i in 0..<n where after[i] >= 0 { twin[i] = after[i] } }

        let tail = Int32(2 * n + 1)
        let next = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * n + 2)
        let prev = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * n + 2)
        let opOf = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * n + 2)  // call: op; return: ~op
        let callNode = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        let returnNode = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        let words = (n + 63) / 64
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        let zobrist = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let stackNode = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        let stackState = UnsafeMutablePointer<Int64>.allocate(capacity: n)
        defer {
            for p in [next, prev, opOf, callNode, returnNode, stackNode] { p.deallocate() }
            bits.deallocate()
            zobrist.deallocate()
            stackState.deallocate()
        }
        bits.initialize(repeating: 0, count: words)
        for i in 0..<n { zobrist[i] = StateCache.mix(UInt64(i) &* 0xD6E8_FEB8_6659_FD93 &+ 0x1234_5678) }
        next[0] = 1
        prev[0] = -1
        opOf[0] = 0
        for (k, event) in events.enumerated() {
            let node = Int32(k + 1)
            opOf[Int(node)] = event.node
            prev[Int(node)] = node - 1
            next[Int(node)] = node + 1
            if event.node >= 0 { callNode[Int(event.node)] = node } else { returnNode[Int(~event.node)] = node }
        }
        prev[Int(tail)] = tail - 1
        next[Int(tail)] = -1
        opOf[Int(tail)] = 0

        var cache = StateCache(words: words)
        let chunk = 4096
        var reserved = 0
        defer { budget.release(reserved) }

        var state = model.initialState
        var hash: UInt64 = 0
        var depth = 0
        var bestDepth = -1
        var bestPrefix: [Int] = []
        var lowWater = 0  // the lowest the stack has been since `bestPrefix` was recorded
        var bestState = state
        var iterations = 0
        var node = next[0]

        // A read-only op that fits now may as well be linearized now (it changes nothing, and moving it earlier
        // keeps every later step legal); so when such a step fails, its parent configuration fails too.
        let readOnly = steps.map { model.isReadOnly($0) }

        return twin.withUnsafeBufferPointer { twin in steps.withUnsafeBufferPointer { steps -> Result in
            while node != tail {
                iterations &+= 1
                if iterations & 0x3FFF == 0 && budget.expired {
                    return Result(outcome: .timedOut, explored: cache.count, bestPrefix: bestPrefix,
                                  bestState: bestState)
                }
                let op = opOf[Int(node)]
                var backtrack = op < 0
                if op >= 0 {
                    let i = Int(op)
                    let t = twin[i]
                    if t >= 0 && bits[t >> 6] & (1 << UInt64(t & 63)) == 0 {
                        node = next[Int(node)]
                        continue
                    }
                    if let after = model.apply(steps[i], to: state) {
                        bits[i >> 6] |= 1 << UInt64(i & 63)
                        hash ^= zobrist[i]
                        if cache.insert(bits, hash: hash, state: after) {
                            if cache.count % chunk == 0 {
                                reserved += chunk * cache.bytesPerEntry
                                if !budget.reserve(chunk * cache.bytesPerEntry) {
                                    return Result(outcome: .outOfMemory, explored: cache.count,
                                                  bestPrefix: bestPrefix, bestState: bestState)
                                }
                            }
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
                        }
                        bits[i >> 6] &= ~(1 << UInt64(i & 63))
                        hash ^= zobrist[i]
                        backtrack = readOnly[i]  // that configuration already failed, so this one does
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
                    if depth == 0 {
                        return Result(outcome: .notLinearizable, explored: cache.count, bestPrefix: bestPrefix,
                                      bestState: bestState)
                    }
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
            return Result(outcome: .linearizable, explored: cache.count, bestPrefix: [], bestState: state)
        } }
    }
}
