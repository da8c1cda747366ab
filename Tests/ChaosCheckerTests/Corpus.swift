import Foundation

/// The shared history corpus, found beside the package root (`../shared/corpus`) both here and in CI.
enum Corpus {
    static let root: URL = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "../shared/corpus").standardized

    struct Row: Sendable, CustomStringConvertible {
        var file: String
        var expected: String
        var model: String
        var path: String { Corpus.root.appending(path: file).path }
        var description: String { file }
    }

    /// Every row of `expected.tsv`.
    static let rows: [Row] = {
        guard let text = try? String(contentsOf: root.appending(path: "expected.tsv"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let cells = line.split(separator: "\t").map(String.init)
            return cells.count == 3 ? Row(file: cells[0], expected: cells[1], model: cells[2]) : nil
        }
    }()
}
