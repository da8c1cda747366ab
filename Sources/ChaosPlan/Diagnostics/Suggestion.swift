/// "Did you mean" suggestions for misspelt keys and values.
enum Suggestion {
    /// The known word nearest to `word`, when it is near enough to be a plausible typo.
    ///
    /// Near enough means an optimal-string-alignment (Damerau–Levenshtein) distance of at most 2, or at most a
    /// third of the word's length for long words; a case-only difference always counts.
    /// - Returns: nil when nothing is close, or `word` is itself known.
    static func nearest(to word: String, among known: [String]) -> String? {
        guard !known.contains(word) else { return nil }
        let lowered = word.lowercased()
        if let sameButCase = known.first(where: { $0.lowercased() == lowered }) { return sameButCase }
        let limit = max(2, word.count / 3)
        var best: (word: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.word
    }

    /// ` (did you mean 'x'?)` when there is a near word, else ` (expected one of: a, b, c)`.
    static func hint(for word: String, among known: [String]) -> String {
        if let near = nearest(to: word, among: known) { return " (did you mean '\(near)'?)" }
        return " (expected one of: \(known.joined(separator: ", ")))"
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let s = Array(a.unicodeScalars), t = Array(b.unicodeScalars)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        // Three rolling rows: the transposition rule looks two rows back.
        var before = [Int](repeating: 0, count: t.count + 1)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[t.count]
    }
}
