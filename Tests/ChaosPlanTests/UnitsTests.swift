import Testing
@testable import ChaosPlan

@Suite struct UnitsTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2s", .seconds(2)), ("1m", .seconds(60)), ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)), ("0.5m", .seconds(30)), (".5s", .milliseconds(500)), ("0s", .zero),
        ("100us", .microseconds(100)), ("100µs", .microseconds(100)), ("7ns", .nanoseconds(7)),
        ("1.0000000001s", .nanoseconds(1_000_000_000)), (" 3s ", .seconds(3)), ("90s", .seconds(90)),
        ("2.25h", .seconds(8100)), ("1.5ms", .microseconds(1500)),
    ])
    func parsesDurations(_ text: String, _ expected: Duration) {
        #expect(Units.parseDuration(text) == expected)
    }

    @Test(arguments: ["", "30", "s", "-1s", "+1s", "1.s", "1..5s", "1 s", "1sec", "1d", "ms", "1e3ms", "abc",
                      "99999999999999999999h", "1,5s", "١s"])
    func rejectsBadDurations(_ text: String) {
        #expect(Units.parseDuration(text) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), "1.5s"), (.milliseconds(250), "250ms"), (.seconds(2), "2s"),
        (.seconds(60), "1m"), (.seconds(90), "90s"), (.seconds(3600), "1h"), (.seconds(5400), "90m"),
        (.zero, "0s"), (.microseconds(1500), "1.5ms"), (.microseconds(20), "20us"), (.nanoseconds(7), "7ns"),
        (.nanoseconds(1_000_000_001), "1.000000001s"), (.milliseconds(-250), "-250ms"),
    ])
    func formatsDurations(_ duration: Duration, _ expected: String) {
        #expect(Units.format(duration) == expected)
        if duration >= .zero { #expect(Units.parseDuration(expected) == duration) }
    }

    @Test(arguments: [("5%", 0.05), ("90%", 0.9), ("100%", 1.0), ("0%", 0.0), ("99.9%", 0.999), ("12.5%", 0.125)])
    func parsesPercentages(_ text: String, _ expected: Double) {
        // Exact: the double nearest the written decimal, not a division's rounding.
        #expect(Units.parsePercent(text) == expected)
        #expect(Units.parsePercent(Units.formatPercent(expected)) == expected)
    }

    @Test(arguments: [(0.9, "90%"), (0.05, "5%"), (0.999, "99.9%"), (0.125, "12.5%"), (0.0001, "0.01%")])
    func formatsPercentages(_ fraction: Double, _ expected: String) {
        #expect(Units.formatPercent(fraction) == expected)
    }

    @Test(arguments: ["5", "-5%", "%", "five%", "5 %%"])
    func rejectsBadPercentages(_ text: String) {
        #expect(Units.parsePercent(text) == nil)
    }

    @Test(arguments: [("200/s", 200.0), ("1000/m", 1000.0 / 60), ("3600/h", 1.0), ("0.5/s", 0.5)])
    func parsesRates(_ text: String, _ expected: Double) {
        #expect(Units.parseRate(text) == expected)
        #expect(Units.parseRate(Units.formatRate(expected)) == expected)
    }

    @Test(arguments: [(500.0, "500/s"), (1000.0 / 60, "1000/m"), (0.5, "30/m"), (0.1234, "0.1234/s")])
    func formatsRates(_ perSecond: Double, _ expected: String) {
        #expect(Units.formatRate(perSecond) == expected)
    }

    @Test(arguments: ["200", "200/d", "/s", "-1/s", "fast"])
    func rejectsBadRates(_ text: String) {
        #expect(Units.parseRate(text) == nil)
    }

    @Test(arguments: [
        ("64MB", Int64(64_000_000)), ("512KiB", 524_288), ("1.5GiB", 1_610_612_736), ("100B", 100),
        ("2TB", 2_000_000_000_000), ("1kB", 1_000), ("3MiB", 3_145_728),
    ])
    func parsesSizes(_ text: String, _ expected: Int64) {
        #expect(Units.parseSize(text) == expected)
    }

    @Test(arguments: ["64", "64mb", "MB", "-1KB", "1.5.5MB", "64 XB", "99999999999TiB"])
    func rejectsBadSizes(_ text: String) {
        #expect(Units.parseSize(text) == nil)
    }
}

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("partiton", ["partition", "kill"], "partition"), ("kil", ["kill", "stop", "pause"], "kill"),
        ("nemsis", PlanDecoder.planKeys, "nemesis"), ("Leader", ["leader", "all"], "leader"),
        ("linearisable", PlanDecoder.checkerNames, "linearizable"), ("sytem", PlanDecoder.clusterKeys, "system"),
        ("snapshotevery", PlanDecoder.clusterKeys, "snapshot_every"),
    ])
    func suggestsNearWords(_ word: String, _ known: [String], _ expected: String) {
        #expect(Suggestion.nearest(to: word, among: known) == expected)
    }

    @Test(arguments: [("explode", ["kill", "stop", "pause"]), ("cas", ["register", "cas-register"]),
                      ("kill", ["kill", "stop"]), ("x", ["leader"])])
    func staysQuietForFarWords(_ word: String, _ known: [String]) {
        #expect(Suggestion.nearest(to: word, among: known) == nil)
    }

    @Test(arguments: [("kitten", "sitting", 3), ("ab", "ba", 1), ("", "abc", 3), ("same", "same", 0),
                      ("ca", "abc", 3)])
    func measuresEditDistance(_ a: String, _ b: String, _ expected: Int) {
        #expect(Suggestion.editDistance(a, b) == expected)
    }
}
