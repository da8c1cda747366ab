import ChaosControl
import ChaosHistory
import Foundation
import NIOHTTP1

/// A client session against raft-node: sends to the node it believes leads, follows `421` leader hints, and
/// turns every outcome into Jepsen's ok / fail / info.
final class RaftNodeClient: SenderBackedClient {
    let sender: LeaderFollowingSender

    init(cluster: [NodeAddress], dialer: NodeDialer? = nil, loop: ClientLoop) {
        sender = LeaderFollowingSender(cluster: cluster, dialer: dialer, loop: loop)
    }

    func read(_ key: String, timeout: Duration) async -> OpOutcome<String?> {
        switch await send(.GET, "/kv/\(escape(key))", body: nil, timeout: timeout, mutating: false) {
        case .ok(let response):
            switch response.status {
            case 200: return .ok(response.field("value")?.stringValue)
            case 404: return .ok(nil)
            default: return .fail(describe(response))
            }
        case .fail(let why): return .fail(why)
        case .info(let why): return .fail(why)  // a read changes nothing, so an unknown read is a failed one
        }
    }

    func write(_ key: String, _ value: String, timeout: Duration) async -> OpOutcome<Void> {
        switch await send(.PUT, "/kv/\(escape(key))", body: Array(value.utf8), timeout: timeout, mutating: true) {
        case .ok(let response):
            return response.status == 200 ? .ok(()) : mutationFailure(response)
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    func cas(_ key: String, from: String, to: String, timeout: Duration) async -> OpOutcome<Bool> {
        let body = JSONBody.object(["from": from, "to": to])
        switch await send(.POST, "/kv/\(escape(key))/cas", body: body, timeout: timeout, mutating: true) {
        case .ok(let response):
            guard response.status == 200 else { return mutationFailure(response) }
            guard case .bool(let swapped)? = response.field("ok") else { return .info("unreadable reply") }
            return .ok(swapped)
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    func append(_ entry: String, timeout: Duration) async -> OpOutcome<Int64> {
        switch await send(.POST, "/log", body: Array(entry.utf8), timeout: timeout, mutating: true) {
        case .ok(let response):
            guard response.status == 200 else { return mutationFailure(response) }
            guard let index = response.field("index")?.intValue else { return .info("unreadable reply") }
            return .ok(index)
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    /// A non-200 answer to a write: 4xx were refused before anything was proposed, as is a 503 marked
    /// `"definite": true` (no leader, or the entry was overwritten); other 5xx may come after the entry entered
    /// the log, so they are indeterminate.
    private func mutationFailure<T>(_ response: HTTPResponse) -> OpOutcome<T> {
        let definite = response.status < 500 || response.fields?["definite"] == .bool(true)
        return definite ? .fail(describe(response)) : .info(describe(response))
    }

    private func describe(_ response: HTTPResponse) -> String {
        let error = response.fields?["error"]?.stringValue ?? response.text.prefix(80).description
        return "\(response.status) \(error)"
    }

    /// Sends to the believed leader, following `421` hints, until `timeout` runs out.
    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, timeout: Duration, mutating: Bool
    ) async -> OpOutcome<HTTPResponse> {
        await sender.send(method, path, body: body, timeout: timeout, mutating: mutating) { response, node in
            // A 503 marked definite (no leader yet) proposed nothing, like a 421: try again within the deadline.
            let noLeader = response.status == 503 && response.fields?["definite"] == .bool(true)
            guard response.status == 421 || noLeader else { return nil }
            return .init(hint: response.fields?["leader"]?.stringValue,
                         reason: noLeader ? "\(node) knows no leader" : "\(node) is not the leader")
        }
    }

    /// The key as one path segment. Keys the workloads make (`k3`) need no escaping: checked byte by byte, which
    /// spares Foundation's percent-encoding (a character set built per call) on every request.
    private func escape(_ key: String) -> String {
        if key.utf8.allSatisfy(Self.isUnreserved) { return key }
        return key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? key
    }

    /// RFC 3986's unreserved bytes: kept as they are by `urlPathAllowed` too.
    private static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"): true
        default: false
        }
    }
}

extension RaftNodeSystem: ClientProviding {
    public func makeClient(cluster: [NodeAddress], loop: ClientLoop) -> any SystemClient {
        RaftNodeClient(cluster: cluster, dialer: dialer, loop: loop)
    }
}
