import Foundation

/// The verdict as the console shows it at the end of `chaos run` and `chaos analyze`: the plan, each check's verdict
/// and summary with its first findings, and where the reports are.
public enum VerdictText {
    public static func render(_ results: RunResults, report: String, resultsFile: String) -> String {
        var lines = ["\(results.plan): \(results.verdict.rawValue.uppercased())  (seed \(results.seed))"]
        if let note = results.note { lines.append("  note:    \(note)") }
        for check in results.checks {
            lines.append("  \(check.verdict.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                         + "\(check.name): \(check.summary)")
            for finding in check.findings.prefix(5) { lines.append("           - \(finding.message)") }
        }
        if let controller = results.controller { lines.append("  \(controller.line)") }
        lines.append("  report:  \(report)")
        lines.append("  results: \(resultsFile)")
        return lines.joined(separator: "\n")
    }
}
