import Foundation

/// A text with `{placeholder}` slots, filled in per node or per operation; parsed (and its placeholders checked)
/// when the adapter is loaded, so a misspelt placeholder is a located error rather than a surprise mid-run.
///
/// A slot is `{name}` or `{name|filter}` where `name` is a word (letters, digits, `_`, `.`); any other brace is
/// literal text, so JSON bodies need no escaping: `{"from": {from|json}}`.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    /// How a value is transformed before it is put in its slot.
    public enum Filter: String, Sendable, Hashable, CaseIterable {
        /// A JSON string literal, quotes included.
        case json
        /// Percent-encoded for one URL path segment or query value.
        case url
        /// Standard base64 of the UTF-8 bytes (etcd's v3 JSON gateway).
        case base64
    }

    public enum Part: Sendable, Hashable {
        case literal(String)
        case slot(name: String, filter: Filter?)
    }

    public var parts: [Part]
    /// The text as written, for messages and for rendering the adapter back.
    public var description: String

    /// Splits `text` into literal text and slots.
    /// - Returns: the template, and every slot that is not in `allowed` or uses an unknown filter, with its
    ///   offset in `text` (in characters) for the caller to report.
    public static func parse(_ text: String, allowed: [String]) -> (Template, [(offset: Int, problem: String)]) {
        var parts: [Part] = []
        var problems: [(Int, String)] = []
        var literal = ""
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            if characters[i] == "{", let close = slotEnd(characters, from: i + 1) {
                let inner = String(characters[(i + 1)..<close])
                let pieces = inner.split(separator: "|", maxSplits: 1).map(String.init)
                let name = pieces[0]
                var filter: Filter?
                if pieces.count == 2 {
                    filter = Filter(rawValue: pieces[1])
                    if filter == nil {
                        problems.append((i, "unknown filter '\(pieces[1])' in '{\(inner)}'"
                                         + Suggestion.hint(for: pieces[1], among: Filter.allCases.map(\.rawValue))))
                    }
                }
                if !allowed.contains(name) {
                    let hint = allowed.isEmpty ? " (no placeholders are available here)"
                        : name.hasPrefix("peer.") && !allowed.contains("peer.id")
                        ? " ({peer.*} placeholders exist only inside each_peer, each_node and join)"
                        : Suggestion.hint(for: name, among: allowed)
                    problems.append((i, "unknown placeholder '{\(name)}'" + hint))
                }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.slot(name: name, filter: filter))
                i = close + 1
            } else {
                literal.append(characters[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return (Template(parts: parts, description: text), problems)
    }

    /// Where a slot opened at `start - 1` closes: the name is a word, optionally followed by `|word`.
    private static func slotEnd(_ characters: [Character], from start: Int) -> Int? {
        var i = start
        var sawWord = false
        var sawBar = false
        while i < characters.count {
            let c = characters[i]
            if c == "}" { return sawWord && characters[i - 1] != "|" ? i : nil }
            if c == "|" {
                guard sawWord, !sawBar else { return nil }
                sawBar = true
            } else if !(c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".")) {
                return nil
            } else if i == start, !c.isLetter {
                return nil
            }
            sawWord = true
            i += 1
        }
        return nil
    }

    /// The slot names this template uses.
    public var slots: [String] {
        parts.compactMap { if case .slot(let name, _) = $0 { name } else { nil } }
    }

    /// Fills every slot from `values`; a slot without a value becomes empty (the decoder has already made sure
    /// each name is one the caller provides).
    public func expand(_ values: [String: String]) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text): result += text
            case .slot(let name, let filter): result += Self.apply(filter, to: values[name] ?? "")
            }
        }
        return result
    }

    static func apply(_ filter: Filter?, to value: String) -> String {
        switch filter {
        case nil: value
        case .json:
            // Encoded as a one-element array, whose brackets are then dropped: a string literal, quotes included.
            String(decoding: (try? JSONSerialization.data(withJSONObject: [value]))?.dropFirst().dropLast() ?? [],
                   as: UTF8.self)
        case .url:
            value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "&", "="]))
                ?? value
        case .base64: Data(value.utf8).base64EncodedString()
        }
    }
}
