/// A checker's three-valued answer. Never a Bool: a checker that could not decide says `unknown`.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case valid, invalid, unknown

    /// The verdict of several checks together: any `invalid` wins, then any `unknown`.
    public static func combine(_ verdicts: some Sequence<Verdict>) -> Verdict {
        var result = Verdict.valid
        for v in verdicts {
            if v == .invalid { return .invalid }
            if v == .unknown { result = .unknown }
        }
        return result
    }
}
