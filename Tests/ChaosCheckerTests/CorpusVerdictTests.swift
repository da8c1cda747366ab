import ChaosHistory
import Testing

@testable import ChaosChecker

/// Every history of the shared corpus gets its known verdict.
@Suite("corpus verdicts", .timeLimit(.minutes(5)))
struct CorpusVerdictTests {
    @Test("expected.tsv lists the whole corpus")
    func corpusIsThere() {
        #expect(Corpus.rows.count == 161, "expected.tsv not found or changed under \(Corpus.root.path)")
    }

    @Test("verdict", arguments: Corpus.rows)
    func verdict(_ row: Corpus.Row) throws {
        let document = try HistoryReader.read(path: row.path)
        let report = try Linearizability.check(document.history, model: try #require(ModelName(rawValue: row.model)),
                                               timeLimit: .seconds(60))
        #expect(report.verdict.rawValue == row.expected, "\(row.file): \(report.summary)")
        if report.verdict == .invalid {
            let counterexample = try #require(report.counterexample)
            #expect(!counterexample.unplaced.isEmpty)
        }
    }
}
