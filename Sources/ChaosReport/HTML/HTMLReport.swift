import ChaosChecker
import ChaosHistory
import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, no network) with the verdict, the
/// findings and the run's charts, for people who would rather look than read JSON.
public enum HTMLReport {
    /// Renders the page for a run read back from its directory.
    /// - Throws: `ReportError` when the history cannot be read.
    public static func render(_ files: RunFiles) throws(ReportError) -> String {
        render(files, series: try RunSeries(files))
    }

    static func render(_ files: RunFiles, series: RunSeries) -> String {
        let results = files.results
        let bands = series.bands()
        let marks = markers(files)
        var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<title>chaos: \(HTMLText.escape(results.plan)) — \(results.verdict.rawValue)</title>"
            + "<style>\(HTMLStyle.css)</style></head><body>"
        html += header(results)
        html += "<main>" + tiles(results, series: series)
        html += checks(results)
        html += findings(results)
        for check in results.checks where check.timeline != nil { html += CounterexamplePage.section(check) }
        html += section("Nemesis timeline", hint: "Faults by the node they were aimed at; dots are process exits "
                + "(red: not caused by chaos).",
            body: TimelineChart(nodes: series.nodes, windows: series.lag.windows, exits: files.exits,
                                duration: series.duration).svg() + faultLegend(series.lag.windows)
                + MembershipChanges.table(files.events))
        html += chart("Follower lag", hint: "Entries the cluster had committed that each node had not yet applied. "
                + "Shaded: faults.",
            LineChart(series: series.lagSeries(), bands: bands, markers: marks, duration: series.duration,
                      yLabel: "entries behind"))
        let indexName = series.lag.hasAppliedIndex ? "Applied index" : "Commit index"
        html += chart(indexName, hint: "Per node, as sampled; gaps are samples the node did not answer.",
            LineChart(series: series.perNode(files.samples) { ($0.appliedIndex ?? $0.commitIndex).map(Double.init) },
                      bands: bands, duration: series.duration, yLabel: "index"))
        html += chart("Latency", hint: "Ok operations by invocation time, per \(Axis.time(series.bucket)).",
            LineChart(series: [
                ChartSeries(name: "p50", color: "#4e79a7", points: series.latency.p50),
                ChartSeries(name: "p99", color: "#f28e2b", points: series.latency.p99),
                ChartSeries(name: "max", color: "#e15759", points: series.latency.max, dashed: true, width: 1.1),
            ], bands: bands, markers: marks, duration: series.duration, yLabel: "ms"))
        html += chart("Throughput", hint: "Completions per second, per \(Axis.time(series.bucket)).",
            LineChart(series: [
                ChartSeries(name: "ok", color: "#12805c", points: series.throughput.ok),
                ChartSeries(name: "fail", color: "#f28e2b", points: series.throughput.fail),
                ChartSeries(name: "info (indeterminate)", color: "#c4320a", points: series.throughput.info),
            ], bands: bands, duration: series.duration, yLabel: "ops/s"))
        html += chart("Memory (RSS)", hint: "Resident set size per node process.",
            LineChart(series: series.perNode(files.samples) { $0.rssBytes.map { Double($0) / 1e6 } },
                      bands: bands, duration: series.duration, yLabel: "MB"))
        html += metrics(results)
        html += "</main><footer>chaos report · \(HTMLText.escape(results.startedAt)) · seed \(results.seed) · "
            + "<a href=\"results.json\">results.json</a> · <a href=\"history.jsonl\">history.jsonl</a> · "
            + "<a href=\"lag.csv\">lag.csv</a> · <a href=\"summary.md\">summary.md</a></footer></body></html>\n"
        return html
    }

    /// Crashes and the start of each invalid check's findings, as vertical marks on the lag and latency charts.
    private static func markers(_ files: RunFiles) -> [ChartMarker] {
        var marks = files.exits.filter { $0.cause == .unexpected }.map { exit in
            ChartMarker(x: Double(exit.time) / 1e9, color: "#c4320a",
                        label: "\(exit.node) crashed at \(Axis.time(Double(exit.time) / 1e9))")
        }
        for check in files.results.checks where check.verdict == .invalid {
            for finding in check.findings.prefix(20) {
                guard let time = finding.time else { continue }
                marks.append(ChartMarker(x: time, color: "#7a1f06", label: "\(check.name): \(finding.message)"))
            }
        }
        return marks
    }

    private static func header(_ r: RunResults) -> String {
        var html = "<header class=\"hero \(r.verdict.rawValue)\"><span class=\"badge\">"
            + "\(r.verdict.rawValue.uppercased())</span><h1>\(HTMLText.escape(r.plan))</h1><p class=\"meta\">"
            + "seed \(r.seed) · started \(HTMLText.escape(r.startedAt)) · ran \(Axis.time(r.durationSeconds))"
            + (r.interrupted ? " (interrupted)" : "") + " · \(r.nodes.count) nodes · \(r.ops.invoke) ops invoked</p>"
        if let note = r.note { html += "<p class=\"note\">\(HTMLText.escape(note))</p>" }
        return html + "</header>"
    }

    private static func tiles(_ r: RunResults, series: RunSeries) -> String {
        let stats = r.check(.stats)?.metrics ?? [:]
        let lag = r.check(.lag)?.metrics ?? [:]
        let completed = r.ops.ok + r.ops.fail + r.ops.info
        var tiles: [(String, String)] = [
            ("ok ops", Axis.number(Double(r.ops.ok))),
            ("ok / second", Axis.number(stats[.okPerSecond] ?? Double(r.ops.ok) / max(r.durationSeconds, 1e-9))),
            ("available",
             completed == 0 ? "–" : String(format: "%.1f%%", 100 * Double(r.ops.ok) / Double(completed))),
        ]
        if let p99 = stats[.latencyP99Ms] { tiles.append(("p99 latency", String(format: "%.1f ms", p99))) }
        let maxLag = lag[.lagMaxEntries] ?? Double(series.lag.followerPoints.map(\.lag).max() ?? 0)
        tiles.append(("max lag (entries)", Axis.number(maxLag)))
        tiles.append(("faults", String(series.lag.windows.count)))
        return "<div class=\"tiles\">" + tiles.map { "<div class=\"tile\"><b>\($0.1)</b><span>\($0.0)</span></div>" }
            .joined() + "</div>"
    }

    private static func checks(_ r: RunResults) -> String {
        guard !r.checks.isEmpty else {
            return section("Checks", hint: "No checker ran.", body: "")
        }
        let rows = r.checks.map { check in
            "<tr><td><span class=\"pill \(check.verdict.rawValue)\">\(check.verdict.rawValue)</span></td>"
                + "<td><b>\(HTMLText.escape(check.name.rawValue))</b></td><td>\(HTMLText.escape(check.summary))</td></tr>"
        }.joined()
        return section("Checks", body: "<table><tr><th>verdict</th><th>check</th><th>summary</th></tr>\(rows)</table>")
    }

    private static func findings(_ r: RunResults) -> String {
        let withFindings = r.checks.filter { !$0.findings.isEmpty }
        guard !withFindings.isEmpty else { return "" }
        var body = ""
        for check in withFindings {
            body += "<h3>\(HTMLText.escape(check.name.rawValue))</h3><ul class=\"findings\">"
            for finding in check.findings.prefix(100) {
                body += "<li class=\"\(check.verdict.rawValue)\">\(HTMLText.escape(finding.message))"
                if let time = finding.time {
                    body += "<span class=\"when\">\(Axis.time(time))"
                        + (finding.until.map { "–" + Axis.time($0) } ?? "") + "</span>"
                }
                if !finding.details.isEmpty {
                    // The ops around a linearizability counterexample are the point of that finding: show them.
                    let open = check.name == .linearizable ? " open" : ""
                    body += "<details\(open)><summary>\(finding.details.count) line"
                        + "\(finding.details.count == 1 ? "" : "s")</summary><pre>"
                        + HTMLText.escape(finding.details.prefix(200).joined(separator: "\n")) + "</pre></details>"
                }
                body += "</li>"
            }
            if check.findings.count > 100 { body += "<li>… and \(check.findings.count - 100) more</li>" }
            body += "</ul>"
        }
        return section("Findings", body: body)
    }

    private static func metrics(_ r: RunResults) -> String {
        let rows = r.checks.filter { !$0.metrics.isEmpty }.map { check in
            "<details><summary>\(HTMLText.escape(check.name.rawValue)): \(check.metrics.count) metrics</summary>"
                + "<table class=\"metrics\">" + check.metrics.sorted { $0.key < $1.key }.map {
                    "<tr><td>\(HTMLText.escape($0.key))</td><td>\(String(format: "%.6g", $0.value))</td></tr>"
                }.joined() + "</table></details>"
        }.joined()
        return rows.isEmpty ? "" : section("Metrics", body: rows)
    }

    private static func chart(_ title: String, hint: String, _ chart: LineChart) -> String {
        guard !chart.series.isEmpty else { return section(title, hint: "No data recorded.", body: "") }
        let legend = "<div class=\"legend\">" + chart.series.map {
            "<span><i style=\"background:\($0.color)\"></i>\(HTMLText.escape($0.name))</span>"
        }.joined() + "</div>"
        return section(title, hint: hint, body: chart.svg(label: title) + legend)
    }

    private static func faultLegend(_ windows: [FaultWindow]) -> String {
        var kinds: [String] = []
        for window in windows where !kinds.contains(window.fault) { kinds.append(window.fault) }
        guard !kinds.isEmpty else { return "<p class=\"hint\">No fault was injected.</p>" }
        return "<div class=\"legend\">" + kinds.map {
            "<span><i class=\"box\" style=\"background:\(Palette.fault($0))\"></i>\(HTMLText.escape($0))</span>"
        }.joined() + "</div>"
    }

    private static func section(_ title: String, hint: String? = nil, body: String) -> String {
        "<section class=\"card\"><h2>\(HTMLText.escape(title))</h2>"
            + (hint.map { "<p class=\"hint\">\(HTMLText.escape($0))</p>" } ?? "") + body + "</section>"
    }
}
