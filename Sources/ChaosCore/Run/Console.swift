import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where chaos talks to people: stderr for progress and diagnostics, stdout for results.
public enum Console {
    /// Whether stderr is a terminal (live progress line) or a log (plain periodic lines).
    public static let isTerminal = isatty(STDERR_FILENO) != 0

    /// A line for people on stderr, clearing a live progress line first.
    public static func status(_ text: String) {
        let prefix = isTerminal ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
    }

    /// Rewrites the live progress line (terminal only).
    static func live(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    public static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
