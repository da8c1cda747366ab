import Foundation

/// The unit-carrying values of plan files: durations (`250ms`, `1.5s`), percentages (`5%`), rates (`200/s`)
/// and sizes (`64MB`, `512KiB`).
///
/// Every parser returns nil for text it does not accept, so the caller can say which key was wrong; none accepts
/// a sign, so negative values are rejected here too. The `format` functions give back text the parsers read to
/// the same value, which `Plan.resolvedYAML(seed:)` relies on.
public enum Units {
    /// Duration units from the largest, in nanoseconds.
    static let durationUnits: [(suffix: String, nanoseconds: Int64)] = [
        ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
        ("us", 1_000), ("µs", 1_000), ("ns", 1),
    ]

    /// Parses `250ms`, `2s`, `1.5s`, `1m`, `1h` (also `us`, `µs`, `ns`) into a duration, exact to the nanosecond.
    ///
    /// - Returns: nil for anything else: a bare number, a sign, an unknown unit, or more than ~292 years.
    public static func parseDuration(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces)
        // Longest suffix first so `ms` is not read as `s` after the number `250m`.
        for (suffix, unit) in durationUnits.sorted(by: { $0.suffix.count > $1.suffix.count })
        where text.hasSuffix(suffix) {
            guard let number = UnsignedDecimal(text.dropLast(suffix.count)),
                  let nanoseconds = number.scaled(by: unit) else { return nil }
            return .nanoseconds(nanoseconds)
        }
        return nil
    }

    /// Parses `5%` or `99.9%` into a fraction (0.05, 0.999).
    public static func parsePercent(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix("%"), let number = UnsignedDecimal(text.dropLast()) else { return nil }
        // Shifting the decimal point in the text keeps `99.9%` at the double nearest 0.999; dividing by 100
        // would give 0.9990000000000001.
        return Double(number.shifted(byPowerOfTen: -2))
    }

    /// Parses `500/s`, `1000/m` or `10/h` into operations per second.
    public static func parseRate(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let per: [(suffix: String, seconds: Double)] = [("/s", 1), ("/m", 60), ("/h", 3600)]
        for (suffix, seconds) in per where text.hasSuffix(suffix) {
            guard let number = UnsignedDecimal(text.dropLast(suffix.count)), let value = Double(number.text) else {
                return nil
            }
            return value / seconds
        }
        return nil
    }

    /// Size units: decimal (`KB` = 1000) and binary (`KiB` = 1024), as IEC 80000-13 defines them.
    static let sizeUnits: [(suffix: String, bytes: Int64)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("kB", 1_000),
        ("B", 1),
    ]

    /// Parses `64MB` (64,000,000 bytes), `512KiB` (524,288 bytes), `1.5GiB` or `100B` into bytes.
    public static func parseSize(_ text: String) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        for (suffix, bytes) in sizeUnits where text.hasSuffix(suffix) {
            guard let number = UnsignedDecimal(text.dropLast(suffix.count)) else { return nil }
            return number.scaled(by: bytes)
        }
        return nil
    }

    /// Formats a duration in the largest unit that keeps it short and exact: `1h`, `2m`, `1.5s`, `90s`,
    /// `250ms`, `1.5ms`, `20us`, `7ns`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !total.overflow else { return "\(seconds)s" }
        let nanoseconds = total.partialValue + attoseconds / 1_000_000_000
        if nanoseconds < 0 { return "-" + format(.nanoseconds(-nanoseconds)) }
        if nanoseconds == 0 { return "0s" }
        let hour: Int64 = 3_600_000_000_000, minute: Int64 = 60_000_000_000, second: Int64 = 1_000_000_000
        if nanoseconds % hour == 0 { return "\(nanoseconds / hour)h" }
        if nanoseconds % minute == 0 { return "\(nanoseconds / minute)m" }
        if nanoseconds >= second { return decimal(nanoseconds, per: second) + "s" }
        if nanoseconds >= 1_000_000 { return decimal(nanoseconds, per: 1_000_000) + "ms" }
        if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }

    /// Formats a fraction as the shortest percentage that parses back to the same value: 0.9 → `90%`.
    public static func formatPercent(_ fraction: Double) -> String {
        shortest(fraction * 100, suffix: "%", parsesTo: fraction, with: parsePercent)
    }

    /// Formats operations per second as `500/s`, or per minute when that is exact (`1000/m`).
    public static func formatRate(_ perSecond: Double) -> String {
        let perMinute = (perSecond * 60).rounded()
        if perSecond != perSecond.rounded(), perMinute / 60 == perSecond { return "\(Int(perMinute))/m" }
        return shortest(perSecond, suffix: "/s", parsesTo: perSecond, with: parseRate)
    }

    /// `value / per` written with as many decimals as it needs, none when it is whole.
    private static func decimal(_ value: Int64, per unit: Int64) -> String {
        let whole = value / unit, rest = value % unit
        guard rest != 0 else { return "\(whole)" }
        let digits = String(unit).count - 1
        var fraction = String(rest)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    /// The shortest fixed-point text of `value` whose parse gives back `target` exactly.
    private static func shortest(_ value: Double, suffix: String, parsesTo target: Double,
                                 with parse: (String) -> Double?) -> String {
        for places in 0...17 {
            var text = String(format: "%.\(places)f", value)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            if parse(text + suffix) == target { return text + suffix }
        }
        return "\(value)\(suffix)"
    }
}

/// An unsigned decimal number as written (`12`, `1.5`, `.5`), kept as digits so durations and sizes are exact.
private struct UnsignedDecimal {
    var whole: Substring
    var fraction: Substring

    init?(_ text: Substring) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        whole = parts[0]
        fraction = parts.count > 1 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), parts.count == 1 || !fraction.isEmpty,
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    }

    var text: String { fraction.isEmpty ? String(whole) : "\(whole.isEmpty ? "0" : whole).\(fraction)" }

    /// The number times 10^`power`, as text: the point moves, no rounding happens.
    func shifted(byPowerOfTen power: Int) -> String {
        let digits = whole + fraction
        let point = whole.count + power
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) }
        return "\(digits.prefix(point)).\(digits.dropFirst(point))"
    }

    /// The number times `unit`, truncated to a whole number; nil on overflow.
    func scaled(by unit: Int64) -> Int64? {
        // Int128 holds 19 digits times any Int64 unit, so only the final result can overflow.
        // Digits past the 19th cannot change a result that must fit an Int64, so they are dropped.
        let significant = whole.drop(while: { $0 == "0" })
        guard significant.count <= 19 else { return nil }
        let kept = fraction.prefix(19 - significant.count)
        var numerator: Int128 = 0
        for digit in significant + kept { numerator = numerator * 10 + Int128(digit.wholeNumberValue!) }
        var denominator: Int128 = 1
        for _ in 0..<kept.count { denominator *= 10 }
        let result = numerator * Int128(unit) / denominator
        return result <= Int128(Int64.max) ? Int64(result) : nil
    }
}
