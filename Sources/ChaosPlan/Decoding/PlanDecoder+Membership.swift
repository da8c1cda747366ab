/// The `membership` keys of a nemesis step: `change` (`remove`, the default, or `replace`) and `data` (`keep`,
/// the default, or `wipe`: what a removed target comes back with at heal).
extension PlanDecoder {
    static let membershipKeys = ["change", "data"]

    /// What a step's membership keys decoded to; `spec` is nil for steps without `membership`.
    struct MembershipKeys {
        var spec: MembershipSpec?
    }

    /// - Returns: nil when a key is wrong (reported), else the decoded keys.
    mutating func decodeMembership(_ fields: Fields, faults: [Fault]?) -> MembershipKeys? {
        let present = Self.membershipKeys.compactMap { fields[$0] }
        guard let faults, faults.contains(.membership) else {
            guard faults != nil, let first = present.first else { return MembershipKeys() }
            error("'\(first.name)' applies only to 'membership' faults", at: first.key)
            return nil
        }
        var change = MembershipSpec.Change.remove
        if let entry = fields["change"] {
            guard let text = string(entry) else { return nil }
            guard let value = MembershipSpec.Change(rawValue: text) else {
                let known = MembershipSpec.Change.allCases.map(\.rawValue)
                error("unknown change '\(text)'" + Suggestion.hint(for: text, among: known), at: entry.value)
                return nil
            }
            change = value
        }
        var data = MembershipSpec.DataPolicy.keep
        if let entry = fields["data"] {
            guard let text = string(entry) else { return nil }
            guard let value = MembershipSpec.DataPolicy(rawValue: text) else {
                let known = MembershipSpec.DataPolicy.allCases.map(\.rawValue)
                error("unknown data '\(text)'" + Suggestion.hint(for: text, among: known), at: entry.value)
                return nil
            }
            if change == .replace, value == .keep {
                error("'change: replace' always brings back an empty node; remove 'data: keep' or use "
                      + "'change: remove'", at: entry.value)
                return nil
            }
            if change == .grow, value == .keep {
                error("'change: grow' adds spare nodes, which always start empty; remove 'data: keep'", at: entry.value)
                return nil
            }
            data = value
        }
        return MembershipKeys(spec: MembershipSpec(change: change, data: data))
    }
}
