import Foundation

/// The v3 JSON gateway's conventions: keys and values are base64 strings, bodies are JSON objects.
public enum EtcdJSON {
    public static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// The text of a base64 field, or nil when it is absent or not base64.
    public static func text(base64 field: Any?) -> String? {
        guard let encoded = field as? String, let data = Data(base64Encoded: encoded) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func body(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8))
    }

    /// The gateway's error text: `{"error": …, "message": …, "code": …}`, or the start of the body.
    public static func describe(_ response: HTTPResponse) -> String {
        let json = response.json
        let message = json?["message"] as? String ?? json?["error"] as? String ?? String(response.text.prefix(80))
        return "\(response.status) \(message)"
    }
}
