/// A value carried by an operation: the EDN data model, which is a superset of what JSON histories hold.
///
/// Jepsen histories put integers, nil, vectors like `[1 4]` (a CAS) and micro-op lists (`[[:read :x 1]]`) in
/// `:value`; keeping one tree type lets every codec and model share it. Not `indirect`: the recursive cases
/// already live in heap-allocated collections, and boxing every `.int` would cost an allocation per value.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case keyword(String)
    /// EDN vectors and lists both read as `vector`: no model distinguishes them.
    case vector([Value])
    case set(Set<Value>)
    case map([Value: Value])
}

extension Value {
    public var isNull: Bool { if case .null = self { true } else { false } }

    public var intValue: Int64? { if case .int(let v) = self { v } else { nil } }

    public var stringValue: String? {
        switch self {
        case .string(let s), .keyword(let s): s
        default: nil
        }
    }

    public var vectorValue: [Value]? { if case .vector(let v) = self { v } else { nil } }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral,
    ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: Value...) { self = .vector(elements) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
