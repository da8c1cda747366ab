import ChaosHistory

/// The report's list of membership changes: each removal and restoration with the configuration before and after
/// it and how long it took, as the nemesis recorded them (the timeline shows only the windows).
enum MembershipChanges {
    /// A table of the run's `membership` events; empty when the plan changed no membership.
    static func table(_ events: [NemesisEvent]) -> String {
        let changes = events.filter { $0.fault == "membership" }.sorted { $0.time < $1.time }
        guard !changes.isEmpty else { return "" }
        var rows = ""
        for e in changes {
            let took = e.latencyNanos.map { Axis.time(Double($0) / 1e9) } ?? "–"
            rows += "<tr><td>\(Axis.time(Double(e.time) / 1e9))</td><td>\(e.phase.rawValue)</td>"
                + "<td>\(HTMLText.escape(e.targets.joined(separator: ", ")))</td><td>\(took)</td>"
                + "<td>\(HTMLText.escape(e.detail ?? ""))</td></tr>"
        }
        return "<table class=\"membership\"><thead><tr><th>at</th><th>phase</th><th>targets</th><th>took</th>"
            + "<th>changes (configuration before → after)</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}
