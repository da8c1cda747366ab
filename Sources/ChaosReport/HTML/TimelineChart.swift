import ChaosChecker
import ChaosHistory

/// The nemesis timeline: one row per node, a bar for each fault aimed at it, a dot for each exit.
struct TimelineChart {
    var nodes: [String]
    var windows: [FaultWindow]
    var exits: [NodeExit]
    var duration: Double

    func svg() -> String {
        let m = LineChart.margin
        let rowH = 22.0
        let height = m.top + Double(nodes.count) * rowH + m.bottom
        let plotW = LineChart.width - m.left - m.right
        let span = max(duration, 1e-9)
        let x = { (ns: Int64) in m.left + min(max(Double(ns) / 1e9 / span, 0), 1) * plotW }
        var svg = "<svg class=\"chart timeline\" viewBox=\"0 0 \(Int(LineChart.width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"nemesis timeline\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (row, node) in nodes.enumerated() {
            let y = m.top + Double(row) * rowH
            svg += "<rect class=\"row\" x=\"\(Int(m.left))\" y=\"\(Int(y))\" width=\"\(Int(plotW))\" "
                + "height=\"\(Int(rowH - 4))\"/><text class=\"tick\" x=\"\(Int(m.left - 8))\" y=\"\(Int(y + 13))\" "
                + "text-anchor=\"end\">\(HTMLText.escape(node))</text>"
            for window in windows where window.targets.contains(node) {
                let x0 = x(window.start)
                let x1 = max(x(window.end ?? Int64(duration * 1e9)), x0 + 2)
                let until = window.end.map { Axis.time(Double($0) / 1e9) } ?? "the end"
                let label = "\(window.fault) \(window.targets.joined(separator: ", ")) "
                    + "\(Axis.time(Double(window.start) / 1e9))–\(until)"
                svg += "<rect class=\"fault\" x=\"\(Int(x0))\" y=\"\(Int(y + 2))\" width=\"\(max(2, Int(x1 - x0)))\" "
                    + "height=\"\(Int(rowH - 8))\" rx=\"3\" fill=\"\(Palette.fault(window.fault))\">"
                    + "<title>\(HTMLText.escape(label))</title></rect>"
                if x1 - x0 > 44 {
                    svg += "<text class=\"faultlabel\" x=\"\(Int(x0 + 4))\" y=\"\(Int(y + 13))\">"
                        + "\(HTMLText.escape(window.fault))</text>"
                }
            }
            for exit in exits where exit.node == node {
                let crash = exit.cause == .unexpected
                let label = "\(node) pid \(exit.pid) exited at \(Axis.time(Double(exit.time) / 1e9)) (\(exit.cause))"
                svg += "<circle cx=\"\(Int(x(exit.time)))\" cy=\"\(Int(y + rowH / 2 - 2))\" r=\"\(crash ? 5 : 3)\" "
                    + "class=\"\(crash ? "crash" : "exit")\"><title>\(HTMLText.escape(label))</title></circle>"
            }
        }
        for tick in Axis.timeTicks(upTo: span) {
            svg += "<text class=\"tick\" x=\"\(Int(m.left + tick / span * plotW))\" y=\"\(Int(height - 8))\" "
                + "text-anchor=\"middle\">\(Axis.time(tick))</text>"
        }
        return svg + "</svg>"
    }
}
