import ChaosNet

/// Check 1: netem delay on one directed link shows in that link's TCP round trips and in no other link's.
///
/// n1's ping-pongs to n2 carry every request over n1→n2, so a delay there adds to each round trip once;
/// n1→n3 goes through a sibling class of the same htb tree and must stay as it was.
struct DelayCheck {
    let lab: Lab
    /// The delay set on n1→n2.
    var delay: Duration = .milliseconds(100)
    /// Allowed deviation of the measured increase from `delay`, as a fraction of it.
    var tolerance = 0.2
    /// The echo servers' port in n2 and n3.
    var port = 9000

    /// Runs the check and returns its findings; throws on the first violated expectation.
    func run(log: (String) -> Void) throws {
        let n2 = try EchoServer(lab: lab, node: "n2", port: port)
        let n3 = try EchoServer(lab: lab, node: "n3", port: port)
        defer {
            n2.close()
            n3.close()
        }
        let before2 = try RoundTrips.measure(lab: lab, from: "n1", to: n2, name: "n2")
        let before3 = try RoundTrips.measure(lab: lab, from: "n1", to: n3, name: "n3")
        log("before:  \(before2)")
        log("before:  \(before3)")

        let latency = try lab.setNetem(from: "n1", to: "n2", NetemSpec(delay: delay))
        log("netem delay \(RoundTrips.ms(delay)) ms on n1->n2 applied in \(RoundTrips.ms(latency)) ms")
        let during2 = try RoundTrips.measure(lab: lab, from: "n1", to: n2, name: "n2")
        let during3 = try RoundTrips.measure(lab: lab, from: "n1", to: n3, name: "n3")
        log("delayed: \(during2)")
        log("delayed: \(during3)")

        let healLatency = try lab.heal()
        log("healed in \(RoundTrips.ms(healLatency)) ms")
        let after2 = try RoundTrips.measure(lab: lab, from: "n1", to: n2, name: "n2")
        log("healed:  \(after2)")

        let grown = during2.median - before2.median
        let margin = delay * tolerance
        log("n1->n2 grew by \(RoundTrips.ms(grown)) ms (expected \(RoundTrips.ms(delay)) ± \(RoundTrips.ms(margin)))")
        guard grown >= delay - margin, grown <= delay + margin else {
            throw KernelCheckError("netem delay \(delay) on n1->n2",
                                   "round trip grew by \(RoundTrips.ms(grown)) ms, outside ±\(Int(tolerance * 100))%")
        }
        let other = during3.median - before3.median
        log("n1->n3 changed by \(RoundTrips.ms(other)) ms (expected < \(RoundTrips.ms(margin)))")
        guard other < margin else {
            throw KernelCheckError("netem delay on n1->n2 only",
                                   "n1->n3 grew by \(RoundTrips.ms(other)) ms as well: the filter missed")
        }
        let residue = after2.median - before2.median
        guard residue < margin else {
            throw KernelCheckError("heal of n1->n2", "round trip still \(RoundTrips.ms(residue)) ms above the start")
        }
    }
}
