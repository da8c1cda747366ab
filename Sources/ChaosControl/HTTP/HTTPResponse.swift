import ChaosHistory
import Foundation

/// A complete HTTP response: status and body bytes.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// The body decoded as a JSON object, or nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The body's fields when it is one JSON object, else nil: parsed without Foundation (the client path reads
    /// one answer per operation); the values are `Value`s (`.string`, `.int`, `.bool`...).
    public var fields: [String: Value]? { JSONObject.fields(body) }

    /// One field of the body's JSON object (nil when absent or the body is not one), read without the others.
    public func field(_ name: StaticString) -> Value? { JSONObject.field(name, in: body) }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request did not produce a response; `sent` says whether the server may have acted on it.
///
/// The distinction is Jepsen's: a request that never left cannot have taken effect (`fail`); one that did
/// may have (`info`).
public enum HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    case connectFailed(String)
    case timeout(sent: Bool)
    case connectionLost(sent: Bool)
    /// The request could not be written as HTTP (a line break in a header, say): it never left.
    case invalidRequest(String)
    /// The server answered something that is not an HTTP/1 response; what it did with the request is unknown.
    case badResponse(String)

    public var sent: Bool {
        switch self {
        case .connectFailed, .invalidRequest: false
        case .badResponse: true
        case .timeout(let sent), .connectionLost(let sent): sent
        }
    }

    public var description: String {
        switch self {
        case .connectFailed(let why): "connect failed: \(why)"
        case .timeout: "timeout"
        case .connectionLost: "connection lost"
        case .invalidRequest(let why): "invalid request: \(why)"
        case .badResponse(let why): "bad response: \(why)"
        }
    }
}
