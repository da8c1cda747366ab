import ChaosChecker
import ChaosHistory
import Foundation

/// `chaos check --html FILE`: a page with the verdict and the failing partition's timeline, self-contained like
/// report.html. report.html embeds the same section for a run's linearizability check.
public enum CounterexamplePage {
    /// The whole page for one offline check.
    public static func html(_ report: LinearizabilityReport, title: String) -> String {
        var result = LinearizabilityChecker.result(report)
        result.summary = report.summary
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<title>chaos check: \(HTMLText.escape(title)) — \(report.verdict.rawValue)</title>"
            + "<style>\(HTMLStyle.css)</style></head><body>"
            + "<header class=\"hero \(report.verdict.rawValue)\"><span class=\"badge\">"
            + "\(report.verdict.rawValue.uppercased())</span><h1>\(HTMLText.escape(title))</h1>"
            + "<p class=\"meta\">\(HTMLText.escape(report.summary))</p></header><main>"
            + section(result)
            + findings(result)
            + "</main></body></html>\n"
    }

    /// The timeline section for a check that has one, else nothing.
    static func section(_ result: CheckResult) -> String {
        guard let timeline = result.timeline else {
            return result.verdict == .invalid ? "" : "<section class=\"card\"><h2>Counterexample</h2>"
                + "<p class=\"hint\">No failing partition: nothing to draw.</p></section>"
        }
        let chart = CounterexampleChart(timeline: timeline)
        // Scrolled to the right end on load would need a script: the window is cut so the failure fits instead.
        return "<section class=\"card\" id=\"counterexample\"><h2>Counterexample (\(HTMLText.escape(result.name.rawValue)))"
            + "</h2><div class=\"scroll\">\(chart.svg())</div>\(chart.caption())</section>"
    }

    private static func findings(_ result: CheckResult) -> String {
        let log = result.findings.filter { $0.kind == .committedLog && !$0.details.isEmpty }
        guard !log.isEmpty else { return "" }
        return "<section class=\"card\"><h2>What the committed log contradicts</h2><ul class=\"findings\">"
            + log.prefix(100).map {
                "<li>\(HTMLText.escape($0.message))<span class=\"when\">\(HTMLText.escape($0.details[0]))</span></li>"
            }.joined() + "</ul></section>"
    }
}
