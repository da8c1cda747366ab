/// A double-quoted string literal that JSON, EDN and YAML all read back as the same text.
///
/// `"` and `\` are escaped, `\n`, `\t`, `\r` by name, and every other character a reader might drop or change
/// (C0 and C1 controls, DEL, the byte-order mark, non-characters, the line and paragraph separators) as
/// `\uXXXX`; everything else is written as it is.
public enum QuotedString {
    /// `text` as a quoted literal, quotes included.
    public static func literal(_ text: String) -> String {
        var out = "\""
        append(text, to: &out)
        return out + "\""
    }

    /// Appends `text`'s quoted literal, quotes included, to `out`.
    public static func append(quoted text: String, to out: inout String) {
        out += "\""
        append(text, to: &out)
        out += "\""
    }

    private static func append(_ text: String, to out: inout String) {
        out.reserveCapacity(out.utf8.count + text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || [0xFEFF, 0xFFFE, 0xFFFF, 0x2028, 0x2029].contains(scalar.value):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
