import Foundation

/// One line of a chart. A NaN y breaks the line (a node that did not answer).
struct ChartSeries {
    var name: String
    var color: String
    var points: [(x: Double, y: Double)]
    var dashed = false
    var width = 1.6
}

/// A shaded stretch of the x axis: a fault window.
struct ChartBand {
    var start: Double
    var end: Double
    var color: String
    var label: String
}

/// A vertical mark: a crash, a heal.
struct ChartMarker {
    var x: Double
    var color: String
    var label: String
}

/// A time-series line chart as inline SVG: axes with round ticks, shaded fault windows, min/max-downsampled lines.
struct LineChart {
    var series: [ChartSeries]
    var bands: [ChartBand] = []
    var markers: [ChartMarker] = []
    /// Seconds covered by the x axis.
    var duration: Double
    var yLabel: String
    var yFormat: (Double) -> String = Axis.number
    /// A fixed top for the y axis (e.g. 1 for fractions); nil = fit the data.
    var yMax: Double?
    var height = 240.0
    var pointsPerSeries = 700

    static let width = 960.0
    static let margin = (left: 64.0, right: 14.0, top: 12.0, bottom: 28.0)

    func svg(label: String) -> String {
        let m = Self.margin
        let plotW = Self.width - m.left - m.right, plotH = height - m.top - m.bottom
        let span = max(duration, 1e-9)
        let reduced = series.map { s in (s, reduce(s.points)) }
        let dataMax = reduced.flatMap { $0.1 }.map(\.y).filter { $0.isFinite }.max() ?? 0
        let top = yMax ?? Axis.top(for: max(dataMax, 1e-9))
        let x = { (v: Double) in m.left + min(max(v / span, 0), 1) * plotW }
        let y = { (v: Double) in m.top + plotH - min(max(v / top, 0), 1.02) * plotH }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(label))\" xmlns=\"http://www.w3.org/2000/svg\">"
        for band in bands {
            let x0 = x(band.start), x1 = max(x(band.end), x0 + 1.5)
            svg += "<rect class=\"band\" x=\"\(f(x0))\" y=\"\(f(m.top))\" width=\"\(f(x1 - x0))\" "
                + "height=\"\(f(plotH))\" fill=\"\(band.color)\" fill-opacity=\"0.13\">"
                + "<title>\(HTMLText.escape(band.label))</title></rect>"
        }
        for tick in Axis.ticks(upTo: top) {
            let ty = y(tick)
            svg += "<line class=\"grid\" x1=\"\(f(m.left))\" x2=\"\(f(m.left + plotW))\" y1=\"\(f(ty))\" "
                + "y2=\"\(f(ty))\"/><text class=\"tick\" x=\"\(f(m.left - 6))\" y=\"\(f(ty + 3.5))\" "
                + "text-anchor=\"end\">\(HTMLText.escape(yFormat(tick)))</text>"
        }
        for tick in Axis.timeTicks(upTo: span) {
            let tx = x(tick)
            svg += "<line class=\"xtick\" x1=\"\(f(tx))\" x2=\"\(f(tx))\" y1=\"\(f(m.top + plotH))\" "
                + "y2=\"\(f(m.top + plotH + 4))\"/><text class=\"tick\" x=\"\(f(tx))\" y=\"\(f(height - 8))\" "
                + "text-anchor=\"middle\">\(Axis.time(tick))</text>"
        }
        svg += "<line class=\"axis\" x1=\"\(f(m.left))\" x2=\"\(f(m.left + plotW))\" y1=\"\(f(m.top + plotH))\" "
            + "y2=\"\(f(m.top + plotH))\"/>"
        svg += "<text class=\"ylabel\" transform=\"translate(14 \(f(m.top + plotH / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">\(HTMLText.escape(yLabel))</text>"
        for marker in markers {
            let mx = x(marker.x)
            svg += "<line class=\"marker\" x1=\"\(f(mx))\" x2=\"\(f(mx))\" y1=\"\(f(m.top))\" "
                + "y2=\"\(f(m.top + plotH))\" "
                + "stroke=\"\(marker.color)\"><title>\(HTMLText.escape(marker.label))</title></line>"
        }
        for (s, points) in reduced {
            var d = ""
            var pen = false
            for p in points {
                guard p.y.isFinite else { pen = false; continue }
                d += (pen ? "L" : "M") + f(x(p.x)) + " " + f(y(p.y))
                pen = true
            }
            guard !d.isEmpty else { continue }
            svg += "<path class=\"line\" d=\"\(d)\" stroke=\"\(s.color)\" stroke-width=\"\(s.width)\""
                + (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + "><title>\(HTMLText.escape(s.name))</title></path>"
        }
        return svg + "</svg>"
    }

    /// Downsamples each unbroken run of points on its own, so a gap stays a gap.
    private func reduce(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard points.count > pointsPerSeries else { return points }
        var result: [(x: Double, y: Double)] = []
        var run: [(x: Double, y: Double)] = []
        let runs = max(1, points.lazy.filter { !$0.y.isFinite }.count)
        let share = max(8, pointsPerSeries / min(runs, 50))
        for p in points {
            if p.y.isFinite { run.append(p); continue }
            result += Downsample.minMax(run, limit: share)
            result.append(p)
            run = []
        }
        return result + Downsample.minMax(run, limit: share)
    }

    /// A coordinate with one decimal: enough on a 960-wide view box, and short.
    private func f(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return a % 10 == 0 ? sign + String(a / 10) : sign + String(a / 10) + "." + String(a % 10)
    }
}
