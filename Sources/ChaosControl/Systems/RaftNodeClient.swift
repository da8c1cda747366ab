import Foundation
import NIOHTTP1

/// A client session against raft-node: sends to the node it believes leads, follows `421` leader hints, and
/// turns every outcome into Jepsen's ok / fail / info.
final class RaftNodeClient: SenderBackedClient {
    let sender: LeaderFollowingSender

    init(cluster: [NodeAddress], dialer: NodeDialer? = nil) {
        sender = LeaderFollowingSender(cluster: cluster, dialer: dialer)
    }

    func read(_ key: String, timeout: Duration) async -> OpOutcome<String?> {
        switch await send(.GET, "/kv/\(escape(key))", body: nil, timeout: timeout, mutating: false) {
        case .ok(let response):
            switch response.status {
            case 200: return .ok(response.json?["value"] as? String)
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
        let body = try! JSONSerialization.data(withJSONObject: ["from": from, "to": to])
        switch await send(.POST, "/kv/\(escape(key))/cas", body: Array(body), timeout: timeout, mutating: true) {
        case .ok(let response):
            guard response.status == 200 else { return mutationFailure(response) }
            guard let swapped = response.json?["ok"] as? Bool else { return .info("unreadable reply") }
            return .ok(swapped)
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    func append(_ entry: String, timeout: Duration) async -> OpOutcome<Int64> {
        switch await send(.POST, "/log", body: Array(entry.utf8), timeout: timeout, mutating: true) {
        case .ok(let response):
            guard response.status == 200 else { return mutationFailure(response) }
            guard let index = int64(response.json?["index"]) else { return .info("unreadable reply") }
            return .ok(index)
        case .fail(let why): return .fail(why)
        case .info(let why): return .info(why)
        }
    }

    /// A non-200 answer to a write: 4xx were refused before anything was proposed, as is a 503 marked
    /// `"definite": true` (no leader, or the entry was overwritten); other 5xx may come after the entry entered
    /// the log, so they are indeterminate.
    private func mutationFailure<T>(_ response: HTTPResponse) -> OpOutcome<T> {
        let definite = response.status < 500 || response.json?["definite"] as? Bool == true
        return definite ? .fail(describe(response)) : .info(describe(response))
    }

    private func describe(_ response: HTTPResponse) -> String {
        let error = response.json?["error"] as? String ?? response.text.prefix(80).description
        return "\(response.status) \(error)"
    }

    /// Sends to the believed leader, following `421` hints, until `timeout` runs out.
    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, timeout: Duration, mutating: Bool
    ) async -> OpOutcome<HTTPResponse> {
        await sender.send(method, path, body: body, timeout: timeout, mutating: mutating) { response, node in
            // A 503 marked definite (no leader yet) proposed nothing, like a 421: try again within the deadline.
            let noLeader = response.status == 503 && response.json?["definite"] as? Bool == true
            guard response.status == 421 || noLeader else { return nil }
            return .init(hint: response.json?["leader"] as? String,
                         reason: noLeader ? "\(node) knows no leader" : "\(node) is not the leader")
        }
    }

    private func escape(_ key: String) -> String {
        key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? key
    }
}
