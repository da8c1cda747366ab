import ChaosHistory
import Foundation
import Testing

@testable import ChaosChecker

/// Leaks on synthetic RSS/fd/thread series: steady growth found with its slope, noise and short runs not.
@Suite("leak checker")
struct LeakCheckerTests {
    /// One node sampled every 100 ms for `minutes`, RSS from 50 MB growing `perHour` bytes per hour plus noise.
    static func samples(minutes: Double, perHour: Double, noise: Double = 200_000, fdsPerHour: Double = 0,
                        restartAt: Double? = nil) -> [Sample] {
        var generator = SystemRandomNumberGenerator()
        let count = Int(minutes * 600)
        return (0..<count).map { i in
            let t = Double(i) / 10
            let restarted = restartAt.map { t >= $0 } ?? false
            let hours = (restarted ? t - restartAt! : t) / 3600
            let rss = 50_000_000 + perHour * hours + Double.random(in: -noise...noise, using: &generator)
            return Sample(time: ns(t), node: "n1", answered: true, pid: restarted ? 200 : 100,
                          rssBytes: Int64(rss), openFDs: 20 + Int(fdsPerHour * hours), threads: 8)
        }
    }

    @Test("Theil–Sen ignores outliers that drag least squares")
    func theilSen() throws {
        var xs = (0..<100).map(Double.init)
        var ys = xs.map { 3 * $0 + 7 }
        xs.append(50)
        ys.append(10_000)
        let fit = try #require(TheilSen.fit(xs: xs, ys: ys))
        #expect(abs(fit.slope - 3) < 1e-9)
        #expect(abs(fit.intercept - 7) < 1e-9)
        #expect(TheilSen.fit(xs: [1, 1, 1], ys: [1, 2, 3]) == nil)
    }

    @Test("steady RSS growth above the limit is a leak, with slope and fit quality", arguments: [
        (100_000_000.0, true), (60_000_000.0, true), (5_000_000.0, false), (0.0, false),
    ])
    func rssGrowth(perHour: Double, leaks: Bool) async throws {
        let input = CheckInput(history: History(), samples: Self.samples(minutes: 10, perHour: perHour),
                               nodes: ["n1"], duration: 600)
        let result = await LeakChecker(maxRSSGrowthPerHour: 20_000_000).check(input)
        let slope = try #require(result.metrics["n1.rssGrowthPerHour"])
        // 200 kB of noise on a 10-minute fit: the slope is within a few MB/h.
        #expect(abs(slope - perHour) < 4_000_000)
        if leaks {
            #expect(result.verdict == .invalid)
            let message = try #require(result.findings.first?.message)
            #expect(message.hasPrefix("n1 RSS grows"))
            #expect(message.contains("(limit 20.0 MB/h)"))
            #expect(message.contains("Theil–Sen fit R²"))
            #expect(result.metrics["n1.rssFitR2"]! > 0.5)
        } else {
            #expect(result.verdict == .valid, "\(result.findings.map(\.message))")
        }
    }

    @Test("fd growth is judged when a limit is set")
    func fdGrowth() async {
        let samples = Self.samples(minutes: 5, perHour: 0, fdsPerHour: 1200)
        let input = CheckInput(history: History(), samples: samples, nodes: ["n1"], duration: 300)
        let relaxed = await LeakChecker().check(input)
        #expect(relaxed.verdict == .valid)
        let strict = await LeakChecker(maxFDGrowthPerHour: 100).check(input)
        #expect(strict.verdict == .invalid)
        #expect(strict.findings.first?.message.hasPrefix("n1 open fds grows") == true)
    }

    @Test("a short run is unknown with the reason")
    func tooShort() async {
        let input = CheckInput(history: History(), samples: Self.samples(minutes: 0.5, perHour: 1e9), nodes: ["n1"])
        let result = await LeakChecker().check(input)
        #expect(result.verdict == .unknown)
        #expect(result.summary.hasPrefix("too short a run to judge leaks"))
    }

    @Test("a restart starts RSS over: the longest process life is fitted")
    func restart() async throws {
        // 100 MB/h in both lives, but the restart drops RSS back; fitting across it would hide the growth.
        let samples = Self.samples(minutes: 10, perHour: 100_000_000, restartAt: 120)
        let input = CheckInput(history: History(), samples: samples, nodes: ["n1"], duration: 600)
        let result = await LeakChecker().check(input)
        #expect(result.verdict == .invalid)
        #expect(abs(try #require(result.metrics["n1.rssGrowthPerHour"]) - 100_000_000) < 4_000_000)
    }
}
