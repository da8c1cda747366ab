import ChaosChecker
@testable import ChaosCore
@testable import ChaosCommands
import ChaosHistory
import Foundation
import Testing

@testable import ChaosReport

/// Reports written from a run directory's files: every file, self-contained HTML, a faithful lag.csv.
@Suite("report writer")
struct ReportWriterTests {
    @Test("writeAll writes the four reports, and report.html is self-contained")
    func writesEverything() async throws {
        let directory = SyntheticRun.scratch("all")
        let results = try await SyntheticRun.write(to: directory)
        #expect(results.verdict == .invalid)
        let written = try ReportWriter.writeAll(runDirectory: directory)
        #expect(written.map { ($0 as NSString).lastPathComponent } == ["report.html", "lag.csv", "summary.md",
                                                                         "junit.xml"])
        let html = try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<header class=\"hero invalid\">"))
        // Escaped, not injected.
        #expect(html.contains("synthetic &lt;plan&gt;") && !html.contains("synthetic <plan>"))
        // The stall of n2 and the counterexample's ops are on the page.
        #expect(html.contains("n2 stalled 40.1s–60.0s (until the end): applied index stuck at 8000"))
        #expect(html.contains("<details open><summary>2 lines</summary><pre>process 0 write 7"))
        // Charts: nemesis timeline plus five line charts, the kill shaded and drawn.
        #expect(html.components(separatedBy: "<svg class=\"chart").count - 1 == 6)
        #expect(html.contains("<title>kill n3 20s–30s</title>"))
        // The stall is marked on the lag and latency charts where it began.
        #expect(html.components(separatedBy: "<title>lag: n2 stalled 40.1s").count - 1 == 2)
        // Self-contained: no scripts, no external stylesheets, images or fonts.
        for forbidden in ["<script", "<link", "src=", "@import", "url("] { #expect(!html.contains(forbidden)) }
        #expect(!html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        let summary = try String(contentsOfFile: "\(directory)/summary.md", encoding: .utf8)
        #expect(summary.contains("| lag | invalid |"))
        let junit = try String(contentsOfFile: "\(directory)/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testcase classname=\"chaos.synthetic &lt;plan&gt;\" name=\"lag\">"))
    }

    @Test("lag.csv has one row per known node sample with the lag the checker saw")
    func lagCSV() async throws {
        let directory = SyntheticRun.scratch("csv")
        _ = try await SyntheticRun.write(to: directory)
        try ReportWriter.writeAll(runDirectory: directory)
        let lines = try String(contentsOfFile: "\(directory)/lag.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == Substring(LagCSV.header))
        // 601 ticks × 3 nodes, every node known from the first tick on.
        #expect(lines.count == 1 + 601 * 3)
        // n2 stuck at 8000 since 40 s; n3 killed at 20 s, its last answer (index 3980) carried over.
        let stalled = lines.contains("50.001,n2,0,1,8000,10000,2000,9.901")
        let killed = lines.contains("25.002,n3,0,0,3980,5000,1020,5.002")
        #expect(stalled && killed)
    }

    @Test("fixed-point seconds", arguments: [
        (Int64(0), "0.000"), (1_234_567_891, "1.235"), (59_999_999_999, "60.000"), (-1_500_000, "-0.002"),
    ])
    func fixed(nanos: Int64, text: String) {
        #expect(LagCSV.fixed(nanos, decimals: 3) == text)
    }

    @Test("a missing or damaged run directory is named in the error; a cut last line is tolerated")
    func errors() async throws {
        let missing = SyntheticRun.scratch("gone") + "/nothing"
        let error = #expect(throws: ReportError.self) { try ReportWriter.writeAll(runDirectory: missing) }
        #expect(error?.description == "\(missing)/results.json: no such run directory; give a path like runs/latest")

        let directory = SyntheticRun.scratch("damaged")
        _ = try await SyntheticRun.write(to: directory, seconds: 5)
        let path = "\(directory)/samples.jsonl"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "{\"time\": 5100000000, \"node\": \"n1\", \"answ"  // killed mid-write
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let files = try RunFiles.read(runDirectory: directory)
        #expect(files.samples.count == 51 * 3)

        text = "{\"time\": 1}\n" + text
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let damaged = #expect(throws: ReportError.self) { try RunFiles.read(runDirectory: directory) }
        #expect(damaged?.description.hasPrefix("\(path):1:1: not a Sample record") == true)
    }

    @Test("chaos lag prints runs side by side")
    func lagTrend() async throws {
        let a = SyntheticRun.scratch("trend-a")
        _ = try await SyntheticRun.write(to: a)
        let b = SyntheticRun.scratch("trend-b")
        _ = try await SyntheticRun.write(to: b, seconds: 45)
        try FileManager.default.removeItem(atPath: "\(b)/results.json")  // computed from samples.jsonl instead
        let rowA = try await LagTrend.row(runDirectory: a)
        let rowB = try await LagTrend.row(runDirectory: b)
        // n3 restarts 5600 entries behind and gains 40 per sample: caught up with the heal's 6000 at 39.4 s.
        #expect(rowA.verdict == "invalid" && rowA.stalls == 1 && rowA.maxLag == 5600)
        #expect(rowB.verdict == "valid" && rowB.stalls == 0)
        #expect(rowB.catchUpMax.map { $0 > 9.3 && $0 < 9.5 } == true)
        let table = LagTrend.render([rowA, rowB], csv: false).split(separator: "\n")
        #expect(table.count == 3)
        #expect(table[0].hasPrefix("run ") && table[0].hasSuffix("max_catch_up_s"))
        #expect(table[1].hasPrefix(Substring(a)) && table[1].contains(" invalid "))
        let csv = LagTrend.render([rowB], csv: true)
        #expect(csv == "run,lag,max_lag,p99_lag,max_behind_s,p99_behind_s,stalls,max_catch_up_s\n"
            + "\(b),valid,5600,\(Int(rowB.p99Lag)),\(String(format: "%.2f", rowB.maxBehind)),"
            + "\(String(format: "%.2f", rowB.p99Behind)),0,\(String(format: "%.2f", rowB.catchUpMax!))\n")
    }
}
