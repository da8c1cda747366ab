import Foundation
import NIOHTTP1
import Synchronization

/// A client session against raft-node: sends to the node it believes leads, follows `421` leader hints, and
/// turns every outcome into Jepsen's ok / fail / info.
final class RaftNodeClient: SystemClient {
    private let nodes: [NodeAddress]
    private let endpoints: [String: HTTPEndpoint]
    private let current: Mutex<Int>

    init(cluster: [NodeAddress], dialer: NodeDialer? = nil) {
        nodes = cluster
        endpoints = Dictionary(uniqueKeysWithValues: cluster.map {
            ($0.id, HTTPEndpoint(node: $0, dialer: dialer))
        })
        current = Mutex(Int.random(in: 0..<max(cluster.count, 1)))
    }

    var currentNode: String { nodes[current.withLock { $0 }].id }

    func begin(at node: String) {
        guard let index = nodes.firstIndex(where: { $0.id == node }) else { return }
        current.withLock { $0 = index }
    }

    func close() {
        for endpoint in endpoints.values { endpoint.close() }
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

    /// Sends to the believed leader, following hints and skipping unreachable nodes until `timeout` runs out.
    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, timeout: Duration, mutating: Bool
    ) async -> OpOutcome<HTTPResponse> {
        let deadline = ContinuousClock.now + timeout
        var lastError = "no node reachable"
        while true {
            let remaining = deadline - .now
            if remaining <= .zero { return .fail("timeout: \(lastError)") }
            let index = current.withLock { $0 }
            let node = nodes[index]
            do {
                let response = try await endpoints[node.id]!.request(method, path, body: body, timeout: remaining)
                // A 503 marked definite (no leader yet) proposed nothing, like a 421: try again within the deadline.
                let noLeader = response.status == 503 && response.json?["definite"] as? Bool == true
                guard response.status == 421 || noLeader else { return .ok(response) }
                lastError = noLeader ? "\(node.id) knows no leader" : "\(node.id) is not the leader"
                // With no hint, or a hint back to this node (its view is stale), give the election a moment.
                let hint = response.json?["leader"] as? String
                if follow(hint: hint, from: index) == index || hint == nil {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            } catch {
                if error.sent { return mutating ? .info(error.description) : .fail(error.description) }
                lastError = "\(node.id): \(error)"
                follow(hint: nil, from: index)
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Moves to the hinted leader, or to the next node when there is no hint; returns the new position.
    @discardableResult
    private func follow(hint: String?, from index: Int) -> Int {
        let next = hint.flatMap { id in nodes.firstIndex { $0.id == id } } ?? (index + 1) % nodes.count
        current.withLock { $0 = next }
        return next
    }

    private func escape(_ key: String) -> String {
        key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? key
    }
}
