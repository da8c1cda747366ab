/// Builds an `Operation` from a Jepsen-style map (`{:process 3, :type :ok, :f :read, :value 1}`), shared by the
/// EDN and Porcupine readers.
///
/// Keys may be keywords or strings. Returns nil for an operation that is not a client's (its `:process` is not
/// an integer, e.g. `:nemesis`).
enum OperationFields {
    /// A form as the history readers see it: an op map's key/value pairs in order, or any other value.
    enum Form {
        case pairs([Value])
        case other(Value)
    }

    static func operation(from value: Value, ordinal: Int) throws(ParseFailureMessage) -> Operation? {
        guard case .map(let map) = value else {
            throw ParseFailureMessage("expected an operation map {:process … :type … :f …}, found \(kind(value))")
        }
        return try operation(from: .pairs(map.flatMap { [$0.key, $0.value] }), ordinal: ordinal)
    }

    static func operation(from form: Form, ordinal: Int) throws(ParseFailureMessage) -> Operation? {
        guard case .pairs(let pairs) = form else {
            if case .other(let value) = form {
                throw ParseFailureMessage("expected an operation map {:process … :type … :f …}, found \(kind(value))")
            }
            return nil
        }
        var fields: [Value?] = Array(repeating: nil, count: Field.allCases.count)
        var i = 0
        while i + 1 < pairs.count {
            if let name = pairs[i].stringValue, let field = Field(rawValue: name) { fields[field.index] = pairs[i + 1] }
            i += 2
        }
        func field(_ name: Field) -> Value? { fields[name.index] }

        guard let processValue = field(.process) else { throw ParseFailureMessage("operation has no :process") }
        guard case .int(let process) = processValue else { return nil }
        guard let typeValue = field(.type) else { throw ParseFailureMessage("operation has no :type") }
        guard let typeName = typeValue.stringValue, let type = OpType(rawValue: typeName) else {
            throw ParseFailureMessage(
                "unknown :type '\(EDNWriter.text(typeValue))' (expected :invoke, :ok, :fail or :info)")
        }
        guard let fValue = field(.f) else { throw ParseFailureMessage("operation has no :f") }
        var time = Int64(ordinal)
        switch field(.time) {
        case .int(let t)?: time = t
        case .double(let t)? where t.isFinite && abs(t) < 9e18: time = Int64(t)
        default: break
        }
        var index = ordinal
        if case .int(let i)? = field(.index), let i = Int(exactly: i) { index = i }
        return Operation(
            index: index, time: time, process: Int(truncatingIfNeeded: process), type: type, f: name(fValue),
            key: field(.key), value: field(.value) ?? .null, error: field(.error).map(name),
            node: field(.node).map(name))
    }

    enum Field: String, CaseIterable {
        case process, type, f, value, time, index, key, error, node
        var index: Int {
            switch self {
            case .process: 0
            case .type: 1
            case .f: 2
            case .value: 3
            case .time: 4
            case .index: 5
            case .key: 6
            case .error: 7
            case .node: 8
            }
        }
    }

    /// A keyword's or string's name; any other value as EDN text.
    static func name(_ value: Value) -> String { value.stringValue ?? EDNWriter.text(value) }

    static func kind(_ value: Value) -> String {
        switch value {
        case .null: "nil"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .keyword: "a keyword"
        case .vector: "a vector"
        case .set: "a set"
        case .map: "a map"
        }
    }
}

/// A message without a place yet; the reader adds the location of the form it was converting.
struct ParseFailureMessage: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
