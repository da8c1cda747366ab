import Yams

/// Checks given on the command line (`chaos analyze --check leak --check linearizable:model=register`), read by
/// the same decoder as a plan's `checks:` section so they take the same names, settings and defaults.
extension PlanLoader {
    /// Reads `NAME[:KEY=VALUE,KEY=VALUE...]` arguments into a checks section; keys may use `-` or `_`.
    ///
    /// - Returns: a section with exactly the checks given.
    /// - Throws: `PlanError` whose messages name the argument (`--check 'lin:model=x': unknown checker 'lin'…`).
    public static func checks(arguments: [String]) throws(PlanError) -> ChecksSpec {
        var spec = ChecksSpec(stats: nil, crash: nil, linearizable: nil)
        var diagnostics: [Diagnostic] = []
        for argument in arguments {
            let file = "--check '\(argument)'"
            let (name, settings) = split(argument)
            let yaml = "checks:\n  \(quote(name)):" + (settings.isEmpty ? "\n" : " {\(settings)}\n")
            var composer = DocumentComposer(text: yaml, file: file)
            guard let root = composer.compose(), composer.diagnostics.isEmpty,
                  let entry = root.mapping?.first, let key = entry.key.string
            else {
                diagnostics.append(problem(file, "write it as NAME or NAME:KEY=VALUE,KEY=VALUE"))
                continue
            }
            var decoder = PlanDecoder(file: file)
            let one = decoder.decodeChecks(Entry(name: key, key: entry.key, value: entry.value))
            guard let one, decoder.diagnostics.isEmpty else {
                // The YAML is ours, not the user's: its line and column would point nowhere they can see.
                diagnostics += decoder.diagnostics.map { problem(file, $0.message) }
                continue
            }
            spec.merge(one)
        }
        if !diagnostics.isEmpty { throw PlanError(diagnostics: diagnostics) }
        return spec
    }

    /// `linearizable:model=register,time-limit=30s` → (`linearizable`, `model: register, time_limit: 30s`).
    private static func split(_ argument: String) -> (String, String) {
        guard let colon = argument.firstIndex(of: ":") else { return (argument, "") }
        let name = String(argument[..<colon])
        let pairs = argument[argument.index(after: colon)...].split(separator: ",").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).replacingOccurrences(of: "-", with: "_")
            return parts.count == 2 ? "\(quote(key)): \(quote(String(parts[1])))" : "\(quote(key)): "
        }
        return (name, pairs.joined(separator: ", "))
    }

    /// Plain words, numbers, durations and percentages stay unquoted so they decode as the plan's would.
    private static func quote(_ text: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%-")
        if !text.isEmpty, text.allSatisfy(plain.contains), text.first != "%" { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private static func problem(_ file: String, _ message: String) -> Diagnostic {
        Diagnostic(location: SourceLocation(file: file, line: 0, column: 0), message: message)
    }
}

extension ChecksSpec {
    /// Takes every check `other` sets (a later `--check` of the same name wins).
    mutating func merge(_ other: ChecksSpec) {
        if let stats = other.stats { self.stats = stats }
        if let crash = other.crash { self.crash = crash }
        if let linearizable = other.linearizable { self.linearizable = linearizable }
        if let lag = other.lag { self.lag = lag }
        if let leak = other.leak { self.leak = leak }
        if let liveness = other.liveness { self.liveness = liveness }
        if let divergence = other.divergence { self.divergence = divergence }
    }
}
