/// Why a history file could not be read, located as `FILE:LINE:COL: message`.
///
/// Every reader in this module throws only this type, so a command can print it as is and exit 3.
public struct HistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (as the user named it), or `<input>` for in-memory data.
    public var file: String
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column (in bytes) of the problem.
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A place in a source text, kept per operation so later stages (the checker) can point back at the file.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Maps byte offsets of a text to lines and columns, computed only when someone asks (errors, locations).
struct LineTable {
    private var lineStarts: [Int] = [0]

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") { lineStarts.append(i + 1) }
    }

    func location(of offset: Int) -> SourceLocation {
        // The last line start that is <= offset.
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(line: lo + 1, column: offset - lineStarts[lo] + 1)
    }
}
