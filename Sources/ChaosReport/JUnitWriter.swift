import ChaosChecker

/// Renders `junit.xml`: one test case per checker, failed when it is invalid, skipped when unknown, so CI
/// systems show each check on its own.
public enum JUnitWriter {
    public static func render(_ results: RunResults) -> String {
        let failures = results.checks.filter { $0.verdict == .invalid }.count
        let skipped = results.checks.filter { $0.verdict == .unknown }.count
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="chaos">"# + "\n"
        xml += "  <testsuite name=\"\(escape(results.plan))\" tests=\"\(results.checks.count)\" "
            + "failures=\"\(failures)\" skipped=\"\(skipped)\" time=\"\(results.durationSeconds)\">\n"
        for check in results.checks {
            xml += "    <testcase classname=\"chaos.\(escape(results.plan))\" name=\"\(escape(check.name.rawValue))\">\n"
            let body = ([check.summary] + check.findings.map { finding in
                ([finding.message] + finding.details.map { "    " + $0 }).joined(separator: "\n")
            }).joined(separator: "\n")
            switch check.verdict {
            case .valid: break
            case .invalid:
                xml += "      <failure message=\"\(escape(check.summary))\">\(escape(body))</failure>\n"
            case .unknown:
                xml += "      <skipped message=\"\(escape(check.summary))\"/>\n"
            }
            xml += "      <system-out>\(escape(body))</system-out>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// XML escaping is HTML's (`&#39;` for `'` is valid XML too).
    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
