import Yams

/// Turns plan text into a Yams node tree, and YAML-level failures into located diagnostics.
///
/// Yams stops at the first duplicate key of a mapping and points at its *first* occurrence. To report the
/// duplicate where it is (its second occurrence) and still check the rest of the file, the composer renames that
/// second key in the text to a same-length placeholder, so every later column stays put, and composes again;
/// the decoder then skips placeholder keys.
struct DocumentComposer {
    let file: String
    private(set) var text: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Placeholder keys that stand for reported duplicates.
    private(set) var ignoredKeys: Set<String> = []

    /// Enough for any hand-written plan; past it the remaining duplicates are not reported one by one.
    private static let maximumDuplicates = 64

    /// A line and column from 1, like Yams' `Mark` (whose initializer is not public).
    struct Position {
        var line: Int
        var column: Int

        init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }

        init(_ mark: Mark) {
            self.init(line: mark.line, column: mark.column)
        }
    }

    /// What usually causes libyaml's most common complaints in hand-written plans.
    private static let hints = [
        "mapping values are not allowed in this context": "quote a value that contains ': ', or check the indentation",
        "did not find expected key": "check the indentation",
        "block sequence entries are not allowed in this context": "start the list on its own line under the key",
    ]

    init(text: String, file: String) {
        self.text = text
        self.file = file
    }

    /// The document's root node; nil when the text is empty or has a YAML error (then in `diagnostics`).
    mutating func compose() -> Node? {
        for round in 0...Self.maximumDuplicates {
            do {
                return try Yams.compose(yaml: text)
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let key = duplicates.first ?? ""
                guard round < Self.maximumDuplicates,
                      let second = renameSecondOccurrence(of: key, after: context.mark, round: round) else {
                    report("duplicate key '\(key)'", at: Position(context.mark))
                    return nil
                }
                report("duplicate key '\(key)' (first given at \(context.mark))", at: second)
            } catch let error as YamlError {
                diagnostics.append(diagnostic(for: error))
                return nil
            } catch {
                report("invalid YAML: \(error)", at: Position(line: 1, column: 1))
                return nil
            }
        }
        return nil
    }

    private mutating func report(_ message: String, at mark: Position) {
        diagnostics.append(Diagnostic(location: location(mark), message: message))
    }

    /// Clamps to 1:1 at least: Yams uses 0:0 for "no position", and every diagnostic must point somewhere.
    private func location(_ mark: Position) -> SourceLocation {
        SourceLocation(file: file, line: max(mark.line, 1), column: max(mark.column, 1))
    }

    private func diagnostic(for error: YamlError) -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(problem)"
            if problem == "but found another document" {
                message = "a plan is one YAML document; remove this '---' and what follows it"
            } else if scalar(at: Position(mark)) == "\t" {
                message = "invalid YAML: a tab character here; YAML indents with spaces only"
            } else if problem == "did not find expected <document start>" {
                message = "invalid YAML: expected a top-level 'key: value' here"
            } else if let context {
                message += " (\(context.text) at line \(context.mark.line))"
            }
            if let hint = Self.hints[problem] { message += "; \(hint)" }
            return Diagnostic(location: location(Position(mark)), message: message)
        case let .reader(problem, offset, _, _):
            return Diagnostic(location: location(mark(atCharacterOffset: offset ?? 0)),
                              message: "invalid YAML: \(problem)")
        default:
            return Diagnostic(location: location(Position(line: 1, column: 1)), message: "invalid YAML: \(error)")
        }
    }

    private var lines: [[Unicode.Scalar]] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    }

    private func scalar(at mark: Position) -> Unicode.Scalar? {
        let lines = self.lines
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let line = lines[mark.line - 1]
        return mark.column >= 1 && mark.column <= line.count ? line[mark.column - 1] : nil
    }

    private func mark(atCharacterOffset offset: Int) -> Position {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character == "\n" { (line, column) = (line + 1, 1) } else { column += character.unicodeScalars.count }
        }
        return Position(line: line, column: column)
    }

    /// Finds the next occurrence of `key` used as a key after `first`, renames it to a placeholder of the same
    /// length, and returns where it was.
    private mutating func renameSecondOccurrence(of key: String, after first: Mark, round: Int) -> Position? {
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, first.line >= 1 else { return nil }
        var lines = self.lines
        for lineIndex in (first.line - 1)..<lines.count {
            let line = lines[lineIndex]
            var column = lineIndex == first.line - 1 ? first.column : 0
            while column < line.count {
                defer { column += 1 }
                guard let start = keyStart(of: keyScalars, in: line, at: column),
                      isKeyPosition(line, column: column, sameColumn: column + 1 == first.column) else { continue }
                let placeholder = Unicode.Scalar(0xE000 + UInt32(round))!
                for offset in 0..<keyScalars.count { lines[lineIndex][start + offset] = placeholder }
                ignoredKeys.insert(String(String.UnicodeScalarView(repeatElement(placeholder,
                                                                                 count: keyScalars.count))))
                text = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
                return Position(line: lineIndex + 1, column: column + 1)
            }
        }
        return nil
    }

    /// Where the key's own characters start when `line[column...]` spells `key:`, `"key":` or `'key':`.
    private func keyStart(of key: [Unicode.Scalar], in line: [Unicode.Scalar], at column: Int) -> Int? {
        let quote = line[column] == "\"" || line[column] == "'" ? line[column] : nil
        let start = quote == nil ? column : column + 1
        guard start + key.count <= line.count, Array(line[start..<(start + key.count)]) == key else { return nil }
        var end = start + key.count
        if let quote {
            guard end < line.count, line[end] == quote else { return nil }
            end += 1
        }
        while end < line.count, line[end] == " " { end += 1 }
        return end < line.count && line[end] == ":" ? start : nil
    }

    /// A key of the same block mapping sits in the same column; a flow mapping key follows `{` or `,`.
    private func isKeyPosition(_ line: [Unicode.Scalar], column: Int, sameColumn: Bool) -> Bool {
        var before = column - 1
        while before >= 0, line[before] == " " { before -= 1 }
        if before < 0 || line[before] == "-" || line[before] == "?" { return sameColumn }
        return line[before] == "{" || line[before] == ","
    }
}
