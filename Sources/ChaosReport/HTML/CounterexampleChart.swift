import ChaosChecker
import Foundation

/// The failing partition drawn as Porcupine draws it: a row per client process, each operation a bar from
/// invocation to completion; the longest linearizable prefix in green (its place in the linearization written
/// on the bar), the operation that could not be placed in red, everything concurrent with it in orange. Hovering
/// a bar shows the operation and, for a linearized one, the model state after it. Plain SVG with `<title>`
/// tooltips: no script, and a few thousand bars at most (the timeline is cut around the failure).
struct CounterexampleChart {
    var timeline: CounterexampleTimeline

    static let colors: [CounterexampleTimeline.Role: String] = [
        .linearized: "#59a14f", .failed: "#d62728", .concurrent: "#f28e2b", .later: "#c0c6d0",
    ]

    func svg() -> String {
        let bars = timeline.bars
        let processes = Array(Set(bars.map(\.process))).sorted()
        let row = Dictionary(uniqueKeysWithValues: processes.enumerated().map { ($1, $0) })
        let left = 64.0, right = 16.0, top = 26.0, rowH = 20.0
        // Wider than the page only when the bars would be too thin to hover; the failure is at the right end.
        let width = max(LineChart.width, min(6000, Double(bars.count) * 2))
        let height = top + Double(processes.count) * rowH + 30
        let t0 = bars.map(\.start).min() ?? 0
        let tEnd = bars.map { $0.end ?? $0.start }.max() ?? t0
        let t1 = max(tEnd + (tEnd - t0) / 50, t0 + 1)  // room for bars that never completed
        let plotW = width - left - right
        let x = { (t: Int64) in left + Double(t - t0) / Double(t1 - t0) * plotW }
        var svg = "<svg class=\"chart history\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "style=\"min-width:\(Int(width))px\" role=\"img\" aria-label=\"counterexample timeline\" "
            + "xmlns=\"http://www.w3.org/2000/svg\">"
        for (r, process) in processes.enumerated() {
            let y = top + Double(r) * rowH
            svg += "<rect class=\"row\" x=\"\(Int(left))\" y=\"\(Int(y))\" width=\"\(Int(plotW))\" "
                + "height=\"\(Int(rowH - 3))\"/><text class=\"tick\" x=\"\(Int(left - 6))\" y=\"\(Int(y + 13))\" "
                + "text-anchor=\"end\">p\(process)</text>"
        }
        if let failed = bars.first(where: { $0.role == .failed }), let end = failed.end {
            // The failed operation's completion: by then one of the candidates had to be linearized.
            svg += "<line class=\"deadline\" x1=\"\(f(x(end)))\" x2=\"\(f(x(end)))\" y1=\"\(Int(top - 6))\" "
                + "y2=\"\(Int(height - 28))\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"
        }
        // Draw the highlighted bars last so they sit on top.
        let order: [CounterexampleTimeline.Role] = [.later, .linearized, .concurrent, .failed]
        for role in order {
            for bar in bars where bar.role == role {
                let y = top + Double(row[bar.process]!) * rowH + 2
                let x0 = x(bar.start)
                let x1 = max(bar.end.map(x) ?? (left + plotW), x0 + 2)
                var tip = bar.label
                if bar.end == nil { tip += " (never completed)" }
                if let order = bar.order { tip += "\nlinearized #\(order)" }
                if let state = bar.state { tip += "; state after: \(state)" }
                if role == .failed { tip += "\ncould not be linearized: no candidate fits the state" }
                if role == .concurrent { tip += "\nconcurrent with the failed operation; does not fit either" }
                let open = bar.end == nil ? " stroke-dasharray=\"3 2\" fill-opacity=\".45\"" : ""
                let stroke = role == .failed || role == .concurrent ? " stroke=\"#7a1f06\" stroke-width=\"1.5\"" : ""
                svg += "<rect class=\"op \(role.rawValue)\" x=\"\(f(x0))\" y=\"\(Int(y))\" "
                    + "width=\"\(f(x1 - x0))\" height=\"\(Int(rowH - 7))\" rx=\"2\" "
                    + "fill=\"\(Self.colors[role]!)\"\(stroke)\(open)><title>\(HTMLText.escape(tip))</title></rect>"
                if x1 - x0 > 40 {
                    let text = bar.order.map { "\($0)" } ?? (role == .failed ? "✗" : "")
                    if !text.isEmpty {
                        svg += "<text class=\"oplabel\" x=\"\(f(x0 + 3))\" y=\"\(Int(y + 10))\">\(text)</text>"
                    }
                }
            }
        }
        let span = Double(t1 - t0) / 1e9
        for tick in Axis.timeTicks(upTo: span) {
            let t = Double(t0) / 1e9 + tick
            svg += "<text class=\"tick\" x=\"\(f(left + tick / span * plotW))\" y=\"\(Int(height - 8))\" "
                + "text-anchor=\"middle\">\(Axis.time(t))</text>"
        }
        return svg + "</svg>"
    }

    /// Legend, what was left out, and the failed and concurrent operations listed for reading without hovering.
    func caption() -> String {
        let legend = [(CounterexampleTimeline.Role.linearized, "linearizable prefix"),
                      (.failed, "could not be linearized"), (.concurrent, "concurrent with it"),
                      (.later, "not reached")]
            .map { "<span><i class=\"box\" style=\"background:\(Self.colors[$0.0]!)\"></i>\($0.1)</span>" }.joined()
        var html = "<div class=\"legend\">\(legend)</div>"
        let what = timeline.proof.map {
            "proven without a search (zones): \(HTMLText.escape($0))."
        } ?? "the longest linearizable prefix has \(timeline.prefixLength) and ends in state "
            + "<code>\(HTMLText.escape(timeline.state))</code>."
        html += "<p class=\"hint\">Key \(HTMLText.escape(timeline.key ?? "–")): \(timeline.partitionOperations) "
            + "operations; \(what)"
            + (timeline.omitted > 0 ? " \(timeline.omitted) operations far from the failure are not drawn." : "")
            + " Hover a bar for the operation and the state after it.</p>"
        let stuck = timeline.bars.filter { $0.role == .failed || $0.role == .concurrent }
        html += "<ul class=\"findings\">" + stuck.prefix(50).map {
            "<li>\($0.role == .failed ? "✗" : "∥") \(HTMLText.escape($0.label))</li>"
        }.joined() + "</ul>"
        return html
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
