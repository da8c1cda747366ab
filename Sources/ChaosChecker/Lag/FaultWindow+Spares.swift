import ChaosHistory

extension FaultWindow {
    /// The windows lag and stall excuse nodes in: every fault's window, except that a `membership` fault that
    /// grew the cluster by spare nodes (its inject's `changes` are all additions) is turned inside out — a
    /// spare owes progress only while it is a member, so it is excused before its addition completed (the
    /// inject's time plus latency: it votes) and from the start of its removal (the heal) on, until the next
    /// grow adds it again. (Liveness keeps the plain window: the changes run from inject to heal's end.)
    public static func lagWindows(from events: [NemesisEvent]) -> [FaultWindow] {
        let injects = events.filter { event in
            event.phase == .inject && event.fault == "membership"
                && !(event.changes ?? []).isEmpty && (event.changes ?? []).allSatisfy { $0.change == .add }
        }
        let grows = Set(injects.map(\.id))
        var result = windows(from: events).filter { !grows.contains($0.id) }
        // Each spare's stretches of membership: added (voting) until its removal started.
        var memberships: [String: [(id: Int, from: Int64, until: Int64?)]] = [:]
        for inject in injects.sorted(by: { $0.time < $1.time }) {
            let heal = events.first { $0.phase == .heal && $0.id == inject.id }
            for node in inject.targets {
                memberships[node, default: []].append(
                    (inject.id, inject.time + (inject.latencyNanos ?? 0), heal?.time))
            }
        }
        for (node, stretches) in memberships {
            var outSince: Int64 = 0
            for stretch in stretches {
                result.append(FaultWindow(id: stretch.id, fault: "membership", targets: [node], start: outSince,
                                          end: stretch.from))
                guard let until = stretch.until else { outSince = .max; break }
                outSince = until
            }
            if outSince != .max {
                result.append(FaultWindow(id: stretches.last?.id ?? 0, fault: "membership", targets: [node],
                                          start: outSince, end: nil))
            }
        }
        return result.sorted { $0.start < $1.start }
    }
}
