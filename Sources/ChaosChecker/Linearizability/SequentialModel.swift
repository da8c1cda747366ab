/// A sequential specification the search checks histories against (Porcupine's `Model`).
///
/// Each partition gets its own instance, so a model may intern values in mutable tables without locks. States
/// are `Int64` (a register's value id, an interned string, a trie node) so the search cache stays flat and
/// free of reference counting.
protocol SequentialModel: SendableMetatype {
    /// One call translated for `apply`: a small value type.
    associatedtype Step: Hashable

    var initialState: Int64 { get }

    /// Translates a call, or returns nil when it cannot affect the verdict (a failed write in Knossos
    /// semantics, a read with no value). Calls with an `unknown` outcome must map to steps that are legal in
    /// every state: they are placed last when they never happened.
    /// - Throws: `CheckerError` for an operation this model does not know or a value of the wrong shape.
    mutating func step(for call: ModelCall) throws(CheckerError) -> Step?

    /// The state after `step`, or nil when the step is not legal in `state`.
    mutating func apply(_ step: Step, to state: Int64) -> Int64?

    /// Whether the step never changes any state (a read): the search then linearizes it as soon as it fits.
    func isReadOnly(_ step: Step) -> Bool

    /// The state as a person reads it, for counterexamples.
    func describe(_ state: Int64) -> String

    /// Which steps may be left out of the search: indeterminate calls whose effect no call can observe (a
    /// timed-out write of a value nobody read). Such a call can always be placed last, where it changes
    /// nothing anyone saw, so the history is linearizable with it iff it is without it; leaving it out removes
    /// the 2^k ways of placing k of them.
    func unobservable(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [Bool]

    /// What each step observed and created, when this partition's states are unique tokens (every state one
    /// step alone can produce), for `ZoneCheck` before the search; nil when they are not or the model cannot
    /// tell. A step whose effect is uncertain maps to `TokenUse.none`.
    func tokens(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [TokenUse]?
}

extension SequentialModel {
    func unobservable(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [Bool] {
        Array(repeating: false, count: steps.count)
    }

    func tokens(_ steps: [Step], outcomes: [ModelCall.Outcome]) -> [TokenUse]? { nil }
}
