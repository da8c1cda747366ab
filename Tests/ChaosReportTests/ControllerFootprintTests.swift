import Foundation
import Testing

@testable import ChaosReport

@Suite("controller footprint")
struct ControllerFootprintTests {
    @Test("the line gives RSS at both ends, the peak, the growth and CPU per op; per hour only for long runs")
    func line() {
        var footprint = ControllerFootprint(rssStartBytes: 40 << 20, rssPeakBytes: 60 << 20, rssEndBytes: 52 << 20,
                                            cpuSeconds: 3.6, operations: 9000, mainPhaseSeconds: 30)
        #expect(footprint.line == "controller: RSS 40 → 52 MiB over the main phase (peak 60; +12.0 MiB), "
            + "400 µs CPU per op (9000 ops)")
        footprint.mainPhaseSeconds = 1800
        footprint.judgedPeakBytes = 300 << 20
        #expect(footprint.line.contains("+12.0 MiB, +24.0 MiB/h)") && footprint.line.hasSuffix("300 MiB peak once judged"))
    }

    @Test("results.json without the controller (older runs, chaos analyze) still decodes")
    func optional() throws {
        let results = RunResults(plan: "p", seed: 1, startedAt: "now", durationSeconds: 1, verdict: .valid,
                                 interrupted: false, ops: .init(), checks: [], nodes: [])
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(results)) as? [String: Any])
        #expect(object["controller"] == nil)
        object["controller"] = nil
        let decoded = try JSONDecoder().decode(RunResults.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(decoded.controller == nil)
    }
}
