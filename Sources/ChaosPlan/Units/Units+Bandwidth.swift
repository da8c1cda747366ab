/// Bandwidths for the `rate` fault: tc's bit units (`1mbit`) and byte sizes per second (`128KB/s`).
extension Units {
    /// Bit units are decimal, as in tc: `kbit` = 1000 bit/s.
    static let bitUnits: [(suffix: String, size: String)] = [("gbit", "GB"), ("mbit", "MB"), ("kbit", "KB"),
                                                             ("bit", "B")]

    /// Parses `1mbit`, `500kbit`, `2gbit` (bits per second, `/s` optional) or `128KB/s`, `1MiB/s` (bytes per
    /// second) into bytes per second; nil when malformed.
    public static func parseBandwidth(_ text: String) -> UInt64? {
        var text = text.trimmingCharacters(in: .whitespaces)
        let perSecond = text.hasSuffix("/s")
        if perSecond { text.removeLast(2) }
        for (suffix, size) in bitUnits where text.hasSuffix(suffix) {
            // The size of "N<size>" is N × 1000^k bytes; a bit is an eighth of that.
            guard let bytes = parseSize(String(text.dropLast(suffix.count)) + size) else { return nil }
            return UInt64(bytes / 8)
        }
        guard perSecond, let bytes = parseSize(text) else { return nil }
        return UInt64(bytes)
    }

    /// The shortest exact text for a bandwidth in bytes per second: `1mbit`, `1024kbit`, `1000B/s`.
    public static func formatBandwidth(_ bytesPerSecond: UInt64) -> String {
        let bits = bytesPerSecond * 8
        for (suffix, bitsPerUnit) in [("gbit", UInt64(1_000_000_000)), ("mbit", 1_000_000), ("kbit", 1000)]
        where bits % bitsPerUnit == 0 && bits > 0 {
            return "\(bits / bitsPerUnit)\(suffix)"
        }
        return "\(bytesPerSecond)B/s"
    }
}
