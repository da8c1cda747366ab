import ChaosHistory

/// The report's list of membership changes: each removal and addition with the configuration before and after
/// it and how long it took, read from the events' structured `changes` (the timeline shows only the windows).
/// Events without them (an `error`, or a run recorded before events carried them) show their detail text.
enum MembershipChanges {
    /// A table of the run's `membership` events; empty when the plan changed no membership.
    static func table(_ events: [NemesisEvent]) -> String {
        let membership = events.filter { $0.fault == "membership" }.sorted { $0.time < $1.time }
        guard !membership.isEmpty else { return "" }
        var rows = ""
        for e in membership {
            let at = Axis.time(Double(e.time) / 1e9)
            guard let changes = e.changes, !changes.isEmpty else {
                let took = e.latencyNanos.map { Axis.time(Double($0) / 1e9) } ?? "–"
                rows += row([at, e.phase.rawValue, e.targets.joined(separator: ", "), took, e.detail ?? ""])
                continue
            }
            for change in changes {
                var what = "\(change.change.rawValue) \(change.node)"
                if let data = change.data { what += data == "wipe" ? " (wiped)" : " (old data)" }
                var took = Axis.time(Double(change.tookMs) / 1e3)
                if let accepted = change.acceptedMs { took += " (learner after \(Axis.time(Double(accepted) / 1e3)))" }
                var configuration = change.before.joined(separator: ",") + " → " + change.after.joined(separator: ",")
                if !change.learnersAfter.isEmpty {
                    configuration += " (+\(change.learnersAfter.joined(separator: ",")) learning)"
                }
                if !change.completed { configuration += " — not completed" }
                rows += row([at, e.phase.rawValue, what, took, configuration])
            }
        }
        return "<table class=\"membership\"><thead><tr><th>at</th><th>phase</th><th>change</th><th>took</th>"
            + "<th>voters before → after</th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    private static func row(_ cells: [String]) -> String {
        "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>"
    }
}
