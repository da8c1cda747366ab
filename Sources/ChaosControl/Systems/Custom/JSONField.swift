import ChaosPlan
import Foundation

/// Reading the fields a custom adapter names out of a JSON answer.
public enum JSONField {
    /// The answer's body as JSON (any top-level value), nil when it is not JSON.
    public static func root(of response: HTTPResponse) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
    }

    /// The value at `path`: object keys, and list indexes for lists.
    public static func lookup(_ path: FieldPath, in root: Any?) -> Any? {
        var value = root
        for step in path.steps {
            switch value {
            case let object as [String: Any]: value = object[step]
            case let list as [Any]:
                guard let index = Int(step), list.indices.contains(index) else { return nil }
                value = list[index]
            default: return nil
            }
        }
        return value
    }

    /// A scalar as text: strings as they are, numbers in decimal, booleans as `true`/`false`; nil for null,
    /// lists and objects.
    public static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string
        case let number as NSNumber:
            // JSONSerialization delivers booleans as NSNumber too; their type code is `c`.
            if number.objCType.pointee == UInt8(ascii: "c") { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: return nil
        }
    }

    /// The field `read` names, decoded, or its `missing` value when the answer leaves it out.
    public static func read(_ read: FieldRead, in root: Any?) -> String? {
        guard let raw = text(lookup(read.path, in: root)) else { return read.missing }
        switch read.decode {
        case nil: return raw
        case .base64: return Data(base64Encoded: raw).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Whether an answer is one of `matches` (its status, and the field's value where one is named).
    public static func matches(_ matches: [ResponseMatch], _ response: HTTPResponse, root: Any?) -> Bool {
        matches.contains { match in
            guard match.status.matches(response.status) else { return false }
            guard let field = match.field else { return true }
            return text(lookup(field, in: root)) == match.equals
        }
    }
}
