import Yams

/// One `key: value` pair of a mapping, with both nodes for their locations.
struct Entry {
    var name: String
    var key: Node
    var value: Node
}

/// The entries of one mapping of the plan, by key name, after unknown keys were reported.
struct Fields {
    /// The mapping itself, where "missing key" problems are reported.
    var node: Node
    var entries: [String: Entry]

    subscript(name: String) -> Entry? { entries[name] }
}

/// Reading typed values out of nodes; each function reports its own problem and returns nil on one.
extension PlanDecoder {
    /// The entries of a mapping, reporting a non-mapping, keys that are not plain words, and unknown keys.
    ///
    /// - Parameter name: the key the mapping belongs to (`cluster`), for messages; nil for the top level.
    ///   - what: how an unknown key is named in messages (`key`, or `checker` in `checks:`).
    mutating func fields(of node: Node, named name: String?, known: [String], what: String = "key") -> Fields? {
        guard let mapping = node.mapping else {
            error("'\(name ?? "plan")' must be a mapping of keys (\(known.prefix(3).joined(separator: ", "))...)"
                  + ", got \(describe(node))", at: node)
            return nil
        }
        var entries: [String: Entry] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error("a key must be a plain word, got \(describe(key))", at: key)
                continue
            }
            let word = scalar.string
            if ignoredKeys.contains(word) { continue }
            guard known.contains(word) else {
                let place = name.map { what == "key" ? " in '\($0)'" : "" } ?? ""
                error("unknown \(what) '\(word)'\(place)" + Suggestion.hint(for: word, among: known), at: key)
                continue
            }
            entries[word] = Entry(name: word, key: key, value: value)
        }
        return Fields(node: node, entries: entries)
    }

    /// The entries of the mapping under a key; an empty value is reported at the key, where the user wrote it.
    mutating func fields(of entry: Entry, known: [String], what: String = "key") -> Fields? {
        if isNull(entry.value) {
            error("'\(entry.name)' is empty; give its keys (\(known.prefix(3).joined(separator: ", "))...)"
                  + " or remove it", at: entry.key)
            return nil
        }
        return fields(of: entry.value, named: entry.name, known: known, what: what)
    }

    /// The entry for a key that must be there, reporting it at the mapping when it is not.
    mutating func required(_ name: String, in fields: Fields) -> Entry? {
        guard let entry = fields[name] else {
            error("missing required key '\(name)'", at: fields.node)
            return nil
        }
        return entry
    }

    /// A scalar's text; a mapping, list or empty value is reported.
    mutating func string(_ entry: Entry) -> String? {
        if isNull(entry.value) {
            error("'\(entry.name)' has no value", at: entry.key)
            return nil
        }
        guard case .scalar(let scalar) = entry.value else {
            error("'\(entry.name)' must be a single value, got \(describe(entry.value))", at: entry.value)
            return nil
        }
        return scalar.string
    }

    /// A whole number within `range`.
    mutating func integer(_ entry: Entry, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(entry) else { return nil }
        guard let number = Int(text) else {
            error("'\(entry.name)' must be a whole number, got '\(text)'", at: entry.value)
            return nil
        }
        guard range.contains(number) else {
            let bounds = range.upperBound == Int.max
                ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            error("'\(entry.name)' must be \(bounds), got '\(text)'", at: entry.value)
            return nil
        }
        return number
    }

    /// A duration such as `250ms` or `1.5s`; zero only where `allowZero` (a start time, not a length).
    mutating func duration(_ entry: Entry, allowZero: Bool) -> Duration? {
        guard let text = string(entry) else { return nil }
        guard let duration = Units.parseDuration(text) else {
            let trimmed = text.trimmingPrefix("-")
            if trimmed != text[...], Units.parseDuration(String(trimmed)) != nil {
                error("'\(entry.name)' must not be negative, got '\(text)'", at: entry.value)
            } else if Double(text) != nil {
                error("'\(entry.name)' needs a unit, got '\(text)' (write '\(text)s' for seconds)", at: entry.value)
            } else {
                error("'\(entry.name)' must be a duration such as 250ms, 2s, 1m or 1h, got '\(text)'",
                      at: entry.value)
            }
            return nil
        }
        if !allowZero, duration == .zero {
            error("'\(entry.name)' must be longer than 0s, got '\(text)'", at: entry.value)
            return nil
        }
        return duration
    }

    /// A percentage from 0% to 100%, as a fraction.
    mutating func percent(_ entry: Entry) -> Double? {
        guard let text = string(entry) else { return nil }
        guard let fraction = Units.parsePercent(text) else {
            error("'\(entry.name)' must be a percentage such as 90%, got '\(text)'", at: entry.value)
            return nil
        }
        guard fraction <= 1 else {
            error("'\(entry.name)' must be at most 100%, got '\(text)'", at: entry.value)
            return nil
        }
        return fraction
    }

    /// A list of strings (`args`, `bugs`, `patterns`); scalars of any type are taken as their text.
    mutating func strings(_ entry: Entry) -> [String]? {
        guard let sequence = entry.value.sequence else {
            error("'\(entry.name)' must be a list, got \(describe(entry.value))", at: entry.value)
            return nil
        }
        var result: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item, !isNull(item) else {
                error("each entry of '\(entry.name)' must be a string, got \(describe(item))", at: item)
                return nil
            }
            result.append(scalar.string)
        }
        return result
    }

    /// One of a fixed set of words, with a "did you mean" for a near miss.
    ///
    /// - Parameter what: how the value is named in messages (`system`, `workload kind`).
    mutating func choice<T: RawRepresentable & CaseIterable>(_ entry: Entry, what: String) -> T?
    where T.RawValue == String {
        guard let text = string(entry) else { return nil }
        guard let value = T(rawValue: text) else {
            let known = T.allCases.map(\.rawValue)
            error("unknown \(what) '\(text)'" + Suggestion.hint(for: text, among: known), at: entry.value)
            return nil
        }
        return value
    }
}
