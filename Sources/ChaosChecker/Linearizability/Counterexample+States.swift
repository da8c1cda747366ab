extension Counterexample {
    /// Replays the longest linearizable prefix through the model, so the timeline can show the state after each
    /// placed operation.
    static func states<M: SequentialModel>(after prefix: [Int], step: (Int) -> M.Step, model: inout M) -> [String] {
        var state = model.initialState
        var out: [String] = []
        out.reserveCapacity(prefix.count)
        for s in prefix {
            guard let next = model.apply(step(s), to: state) else { break }  // cannot happen: the search placed it
            state = next
            out.append(model.describe(state))
        }
        return out
    }
}
