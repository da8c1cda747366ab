import CNetlink
import Foundation

/// The shaping of one directed link: netem's knobs plus a rate limit. Percentages are 0...100.
public struct NetemSpec: Sendable, Hashable {
    /// A netem delay distribution table, as shipped with iproute2.
    public enum Distribution: String, Sendable, Hashable, CaseIterable {
        case uniform, normal, pareto, paretonormal
    }

    public var delay: Duration = .zero
    public var jitter: Duration = .zero
    public var delayCorrelation: Double = 0
    /// nil or `.uniform` = netem's default uniform jitter.
    public var distribution: Distribution?
    public var loss: Double = 0
    public var lossCorrelation: Double = 0
    public var duplicate: Double = 0
    public var duplicateCorrelation: Double = 0
    /// Percent of packets sent at once (out of order) while the rest wait `delay`; needs a delay.
    public var reorder: Double = 0
    public var reorderCorrelation: Double = 0
    /// Reorder every `gap`-th packet (0 = by probability only).
    public var gap: Int = 0
    public var corrupt: Double = 0
    public var corruptCorrelation: Double = 0
    /// Bytes per second (htb class rate); nil = unlimited.
    public var rate: UInt64?

    public init(delay: Duration = .zero, jitter: Duration = .zero, delayCorrelation: Double = 0,
                distribution: Distribution? = nil, loss: Double = 0, lossCorrelation: Double = 0,
                duplicate: Double = 0, duplicateCorrelation: Double = 0, reorder: Double = 0,
                reorderCorrelation: Double = 0, gap: Int = 0, corrupt: Double = 0, corruptCorrelation: Double = 0,
                rate: UInt64? = nil) {
        self.delay = delay
        self.jitter = jitter
        self.delayCorrelation = delayCorrelation
        self.distribution = distribution
        self.loss = loss
        self.lossCorrelation = lossCorrelation
        self.duplicate = duplicate
        self.duplicateCorrelation = duplicateCorrelation
        self.reorder = reorder
        self.reorderCorrelation = reorderCorrelation
        self.gap = gap
        self.corrupt = corrupt
        self.corruptCorrelation = corruptCorrelation
        self.rate = rate
    }

    /// Drops everything: a partitioned link under the netem mechanism.
    public static let blackout = NetemSpec(loss: 100)

    /// True when anything besides `rate` is set, i.e. the kernel's netem is needed.
    public var needsNetem: Bool {
        var plain = self
        plain.rate = nil
        return plain != NetemSpec()
    }

    /// The kernel's parameters (probabilities scaled to 2^32-1).
    func parameters() -> cnl_netem_params {
        var p = cnl_netem_params()
        p.delay_us = Self.micros(delay)
        p.jitter_us = Self.micros(jitter)
        p.delay_correlation = Self.scaled(delayCorrelation)
        p.loss = Self.scaled(loss)
        p.loss_correlation = Self.scaled(lossCorrelation)
        p.duplicate = Self.scaled(duplicate)
        p.duplicate_correlation = Self.scaled(duplicateCorrelation)
        p.reorder = Self.scaled(reorder)
        p.reorder_correlation = Self.scaled(reorderCorrelation)
        p.gap = UInt32(clamping: gap)
        p.corrupt = Self.scaled(corrupt)
        p.corrupt_correlation = Self.scaled(corruptCorrelation)
        return p
    }

    /// The distribution table for the kernel, read from iproute2's files; empty for uniform.
    /// - Throws: `NetError` when the table file is nowhere to be found.
    func distributionTable() throws(NetError) -> [Int16] {
        guard let distribution, distribution != .uniform, jitter > .zero else { return [] }
        let directories = ["/usr/lib/tc", "/usr/lib64/tc", "/usr/lib/x86_64-linux-gnu/tc",
                           "/usr/lib/aarch64-linux-gnu/tc", "/usr/share/tc"]
        for directory in directories {
            guard let text = try? String(contentsOfFile: "\(directory)/\(distribution.rawValue).dist",
                                         encoding: .utf8) else { continue }
            return text.split(separator: "\n").filter { !$0.hasPrefix("#") }
                .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
                .compactMap { Int16($0) }
        }
        throw NetError(operation: "load the netem distribution '\(distribution.rawValue)'",
                       hint: "no \(distribution.rawValue).dist in \(directories.joined(separator: ", ")); "
                       + "install iproute2 or use a uniform jitter")
    }

    static func scaled(_ percent: Double) -> UInt32 {
        UInt32((min(max(percent, 0), 100) / 100 * Double(UInt32.max)).rounded())
    }

    static func micros(_ duration: Duration) -> UInt32 {
        let (seconds, attos) = duration.components
        return UInt32(clamping: seconds * 1_000_000 + attos / 1_000_000_000_000)
    }
}
