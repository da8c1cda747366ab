/// Finds windows where a node was more than `maxEntries` behind, outside the faults aimed at it.
struct LagLimit {
    var maxEntries: Int64
    var grace: Int64

    func excesses(of node: String, points: [LagPoint], windows: [FaultWindow]) -> [Finding] {
        let aimed = windows.aimed(at: node)
        var findings: [Finding] = []
        var open: (start: Int64, end: Int64, worst: Int64)?
        func close() {
            guard let window = open else { return }
            findings.append(Finding(
                "\(node) was up to \(window.worst) entries behind (limit \(maxEntries)) "
                    + "\(seconds(window.start))s–\(seconds(window.end))s; no fault targeted \(node) then",
                node: node, time: Double(window.start) / 1e9, until: Double(window.end) / 1e9))
            open = nil
        }
        for point in points where point.answered {
            let excused = aimed.contains { $0.excuses(node, at: point.time, grace: grace) }
            if !excused, point.lag > maxEntries {
                open = (open?.start ?? point.time, point.time, max(open?.worst ?? 0, point.lag))
            } else {
                close()
            }
        }
        close()
        return findings
    }
}
