/// A client command as it travels inside a log entry's bytes.
public enum Command: Sendable, Equatable {
    case put(key: String, value: String)
    case cas(key: String, from: String, to: String)
    case append([UInt8])

    /// The entry payload: a type byte, then length-prefixed fields.
    public func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 32)
        switch self {
        case let .put(key, value):
            w.u8(1); w.string(key); w.string(value)
        case let .cas(key, from, to):
            w.u8(2); w.string(key); w.string(from); w.string(to)
        case let .append(data):
            w.u8(3); w.blob(data)
        }
        return w.bytes
    }

    /// Decodes an entry payload; nil for the leader's no-op (empty) or an unknown type.
    public static func decode(_ bytes: [UInt8]) -> Command? {
        guard !bytes.isEmpty else { return nil }
        var r = ByteReader(bytes)
        do throws(ByteReaderError) {
            switch try r.u8() {
            case 1: return .put(key: try r.string(), value: try r.string())
            case 2: return .cas(key: try r.string(), from: try r.string(), to: try r.string())
            case 3: return .append(try r.blob())
            default: return nil
            }
        } catch {
            return nil
        }
    }
}

/// What applying one command did: the entry's index, and for compare-and-set whether it swapped.
public struct ApplyOutcome: Sendable, Equatable {
    public var index: UInt64
    public var ok: Bool
}
