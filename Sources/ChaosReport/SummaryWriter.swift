import ChaosChecker

/// Renders `summary.md`: short enough for a CI step summary, complete enough to act on.
public enum SummaryWriter {
    public static func render(_ results: RunResults, runDirectory: String) -> String {
        let icon = switch results.verdict {
        case .valid: "✅"
        case .invalid: "❌"
        case .unknown: "❔"
        }
        var lines = [
            "# \(icon) chaos: \(results.plan) — \(results.verdict.rawValue)", "",
            "- seed `\(results.seed)`, started \(results.startedAt), ran \(format(results.durationSeconds))s"
                + (results.interrupted ? " (interrupted)" : ""),
            "- operations: \(results.ops.invoke) invoked, \(results.ops.ok) ok, \(results.ops.fail) fail, "
                + "\(results.ops.info) info",
            "- run directory: `\(runDirectory)`",
        ]
        if let note = results.note { lines.append("- note: \(note)") }
        if let controller = results.controller { lines.append("- \(controller.line)") }
        lines += ["", "| check | verdict | summary |", "|---|---|---|"]
        for check in results.checks {
            lines.append("| \(check.name) | \(check.verdict.rawValue) | \(escape(check.summary)) |")
        }
        for check in results.checks where !check.findings.isEmpty {
            lines += ["", "## \(check.name)", ""]
            for finding in check.findings.prefix(20) {
                lines.append("- \(finding.message)")
                for detail in finding.details.prefix(8) { lines.append("  - `\(detail)`") }
            }
            if check.findings.count > 20 { lines.append("- … and \(check.findings.count - 20) more") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }

    static func format(_ seconds: Double) -> String {
        String((seconds * 10).rounded() / 10)
    }
}
