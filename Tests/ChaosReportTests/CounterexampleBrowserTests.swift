import ChaosChecker
import ChaosHistory
import Foundation
import Testing

@testable import ChaosReport

/// The counterexample timeline (`chaos check --html`, report.html) opened in headless Chromium, for a history
/// that is not linearizable: the failed operation, what is concurrent with it and the linearized prefix with its
/// states must be in the rendered DOM; a 100k-operation history still gives a small page.
@Suite("counterexample in a browser", .serialized, .timeLimit(.minutes(5)),
       .enabled(if: Browser.path != nil || Browser.inCI,
                "chromium is not installed (apt-get install chromium, or make setup); CI never skips this"))
struct CounterexampleBrowserTests {
    /// A register history whose writes take effect at their completion, with one stale read injected near the
    /// end (it returns the value written to its key `stale` writes earlier). Client `p` works on key `p % keys`.
    static func history(operations: Int, clients: Int = 10, keys: Int = 1, stale: Int = 50) -> History {
        var ops: [ChaosHistory.Operation] = []
        var open: [Int: ChaosHistory.Operation] = [:]
        var state: [Int: Int64] = [:]
        var writes: [Int: [Int64]] = [:]
        var next: Int64 = 1
        var seed: UInt64 = 42
        func random(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var injected = false
        while ops.count < 2 * operations {
            let p = random(clients)
            let key = p % keys
            if var op = open.removeValue(forKey: p) {
                op.type = .ok
                op.time = Int64(ops.count) * 1_000_000
                if op.f == "write" {
                    state[key] = op.value.intValue
                    writes[key, default: []].append(op.value.intValue!)
                } else if !injected && ops.count > 2 * operations - 200 && writes[key, default: []].count > stale {
                    op.value = .int(writes[key]![writes[key]!.count - stale])
                    injected = true
                } else {
                    op.value = state[key].map { .int($0) } ?? nil
                }
                ops.append(op)
            } else {
                let write = random(2) == 0
                let op = ChaosHistory.Operation(time: Int64(ops.count) * 1_000_000, process: p, type: .invoke,
                                                f: write ? "write" : "read", key: .string("k\(key)"),
                                                value: write ? .int(next) : nil)
                if write { next += 1 }
                open[p] = op
                ops.append(op)
            }
        }
        var h = History(ops)
        h.reindex()
        return h
    }

    /// The page for `history`. The zone check proves these histories at once; `zoneSearch` is how long the exact
    /// search may then look for the prefix to draw (generous here, so a slow build still finds it; zero: the
    /// zones' proof alone).
    static func page(_ history: History, in directory: String, zoneSearch: Duration = .seconds(60))
        throws -> (LinearizabilityReport, String)
    {
        var options = Linearizability.Options(timeLimit: .seconds(120), registersStartAbsent: true)
        options.refineBudget = zoneSearch
        options.zoneSearch = zoneSearch
        let report = try Linearizability.check(history, model: .register, options: options)
        let path = "\(directory)/counterexample.html"
        try CounterexamplePage.html(report, title: "history.jsonl").write(toFile: path, atomically: true,
                                                                          encoding: .utf8)
        return (report, path)
    }

    @Test("the DOM holds the failed operation, its concurrent ones and the prefix with states")
    func dom() throws {
        let browser = try #require(Browser.path, "CI is set but chromium is missing: install it (make setup)")
        let directory = SyntheticRun.scratch("counterexample")
        let (report, path) = try Self.page(Self.history(operations: 2000), in: directory)
        #expect(report.verdict == .invalid)
        let dom = try Browser.run(browser, ["--dump-dom", "file://\(path)"], in: directory)
        #expect(dom.contains("<svg class=\"chart history\""))
        #expect(dom.components(separatedBy: "class=\"op failed\"").count - 1 == 1)
        #expect(dom.components(separatedBy: "class=\"op linearized\"").count - 1 > 100)
        #expect(dom.contains("state after: "))
        // Every concurrent candidate is drawn, and listed for reading without hovering.
        let unplaced = try #require(report.counterexample?.unplaced)
        #expect(dom.components(separatedBy: "class=\"op concurrent\"").count - 1 == unplaced.count - 1)
        for op in unplaced { #expect(dom.contains("#\(op.position) p\(op.process) ")) }
        // Self-contained: no script, nothing fetched (the only URL is the SVG namespace).
        #expect(!dom.contains("<script") && !dom.contains("src=") && !dom.contains("href=\"http"))
    }

    @Test("a failure the zone check proved without a search: the proof and the operations it names")
    func zoneProof() throws {
        let browser = try #require(Browser.path, "CI is set but chromium is missing: install it (make setup)")
        let directory = SyntheticRun.scratch("counterexample-zones")
        let (report, path) = try Self.page(Self.history(operations: 2000), in: directory, zoneSearch: .zero)
        let proof = try #require(report.counterexample?.proof)
        let dom = try Browser.run(browser, ["--dump-dom", "file://\(path)"], in: directory)
        #expect(dom.contains("proven without a search (zones)"))
        #expect(dom.components(separatedBy: "class=\"op failed\"").count - 1 == 1)
        #expect(dom.components(separatedBy: "class=\"op linearized\"").count - 1 == 0)
        for op in report.counterexample?.unplaced ?? [] { #expect(dom.contains("#\(op.position) p\(op.process) ")) }
        #expect(proof.contains("must hold"), "\(proof)")
    }

    @Test("a 100k-operation history gives a small page (the failing partition, cut around the failure)")
    func large() throws {
        let browser = try #require(Browser.path, "CI is set but chromium is missing: install it (make setup)")
        let directory = SyntheticRun.scratch("counterexample-large")
        let (report, path) = try Self.page(Self.history(operations: 100_000, clients: 100, keys: 20), in: directory)
        #expect(report.verdict == .invalid)
        let bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let started = Date()
        let dom = try Browser.run(browser, ["--dump-dom", "file://\(path)"], in: directory)
        let seconds = Date().timeIntervalSince(started)
        let bars = dom.components(separatedBy: "<rect class=\"op ").count - 1
        #expect(bars > 100 && bars <= 3100, "\(bars) bars")
        #expect(bytes < 3_000_000, "\(bytes) bytes")
        print("counterexample page for 100k ops: \(bytes) bytes, \(bars) bars, Chromium dump-dom \(seconds)s")
    }

    @Test("report.html of a run draws the linearizability check's timeline, read back from results.json")
    func inReport() async throws {
        let browser = try #require(Browser.path, "CI is set but chromium is missing: install it (make setup)")
        let directory = SyntheticRun.scratch("counterexample-report")
        var results = try await SyntheticRun.write(to: directory)
        var options = Linearizability.Options(registersStartAbsent: true, refineBudget: .seconds(60))
        options.zoneSearch = .seconds(60)  // the prefix drawn, however slow the build
        let report = try Linearizability.check(Self.history(operations: 500), model: .register, options: options)
        results.checks.removeAll { $0.name == .linearizable }
        results.checks.append(LinearizabilityChecker.result(report))
        try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: "\(directory)/results.json"))
        try ReportWriter.writeAll(runDirectory: directory)
        let dom = try Browser.run(browser, ["--dump-dom", "file://\(directory)/report.html"], in: directory)
        #expect(dom.contains("<svg class=\"chart history\""))
        #expect(dom.components(separatedBy: "class=\"op failed\"").count - 1 == 1)
        #expect(dom.contains("state after: "))
    }
}
