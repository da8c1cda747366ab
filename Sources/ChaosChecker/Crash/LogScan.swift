import Foundation

/// Reads node logs for the crash checker: pattern matches with line numbers, and the last lines.
enum LogScan {
    struct Hit {
        var pattern: String
        var line: Int
        var text: String
    }

    /// Every line of `path` matching any of `patterns` (first matching pattern per line).
    static func matches(of patterns: [String], inFile path: String) -> [Hit] {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let compiled = patterns.compactMap { pattern in
            (try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])).map { (pattern, $0) }
        }
        var hits: [Hit] = []
        var lineNumber = 0
        text.enumerateLines { line, _ in
            lineNumber += 1
            let range = NSRange(line.startIndex..., in: line)
            if let (pattern, _) = compiled.first(where: { $0.1.firstMatch(in: line, range: range) != nil }) {
                hits.append(Hit(pattern: pattern, line: lineNumber, text: String(line.prefix(300))))
            }
        }
        return hits
    }

    /// The last `count` lines of `path`, for quoting why a node died.
    static func tail(of path: String, count: Int = 8) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 16_384 ? size - 16_384 : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map { String($0.prefix(300)) }
    }
}
