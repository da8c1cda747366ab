/// The checkers chaos has, by the name plans, `--check` and `results.json` use. One list: the plan decoder, the
/// judge, the reports and `chaos lag` read these cases rather than spelling the names.
public enum CheckName: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case stats
    case crash
    case linearizable
    case lag
    case leak
    case liveness
    case divergence

    public var description: String { rawValue }
}
