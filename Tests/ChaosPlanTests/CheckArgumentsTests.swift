import Testing

@testable import ChaosPlan

/// `--check NAME[:KEY=VALUE,...]` (chaos analyze) reads like a plan's `checks:` entry, with its errors named.
@Suite("check arguments")
struct CheckArgumentsTests {
    @Test func namesAndSettingsDecodeAsInAPlan() throws {
        let checks = try PlanLoader.checks(arguments: [
            "leak:max-rss-growth=50MB/h,warm_up=5s,max_rss_per_entry=1KB", "linearizable:model=register",
            "stats", "divergence",
        ])
        #expect(checks.leak?.maxRSSGrowthPerHour == 50_000_000)
        #expect(checks.leak?.warmUp == .seconds(5))
        #expect(checks.leak?.maxRSSPerEntry == 1000)
        #expect(checks.linearizable?.model == .register)
        #expect(checks.stats != nil && checks.divergence != nil)
        #expect(checks.crash == nil && checks.lag == nil && checks.liveness == nil)
    }

    @Test func percentagesAndDurationsStayUnquoted() throws {
        let checks = try PlanLoader.checks(arguments: ["stats:min-availability=90%", "lag:max-entries=500"])
        #expect(checks.stats?.minAvailability == 0.9)
        #expect(checks.lag?.maxEntries == 500)
    }

    static let bad: [(String, String)] = [
        ("leek", "--check 'leek': unknown checker 'leek' (did you mean 'leak'?)"),
        ("linearizable:model=regster", "--check 'linearizable:model=regster': unknown model 'regster'"),
        ("leak:max-rss-growth=lots", "--check 'leak:max-rss-growth=lots': 'max_rss_growth' must be a size per time"),
        ("lag:stal=1s", "--check 'lag:stal=1s': unknown key 'stal'"),
    ]

    @Test(arguments: bad)
    func mistakesAreNamedByTheirArgument(argument: String, message: String) {
        do {
            _ = try PlanLoader.checks(arguments: [argument])
            Issue.record("'\(argument)' was accepted")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
