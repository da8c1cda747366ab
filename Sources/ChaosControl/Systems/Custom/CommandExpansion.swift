import ChaosPlan
import NIOHTTP1

/// Expands a custom adapter's command template for one node into an argument vector (never a shell line).
struct CommandExpansion {
    var node: NodeAddress
    var cluster: [NodeAddress]
    var dataDirectory: String
    var binary: String

    /// The placeholders every argument may use.
    var values: [String: String] {
        [
            "id": node.id, "ip": node.host, "host": node.host, "port": "\(node.clientPort)",
            "peer_port": "\(node.peerPort)", "data_dir": dataDirectory, "binary": binary,
            "peers": cluster.filter { $0.id != node.id }.map { "\($0.host):\($0.peerPort)" }.joined(separator: ","),
        ]
    }

    /// The values plus `{peer.*}` for one node of a repeat or join.
    func values(with peer: NodeAddress) -> [String: String] {
        values.merging([
            "peer.id": peer.id, "peer.ip": peer.host, "peer.host": peer.host, "peer.port": "\(peer.clientPort)",
            "peer.peer_port": "\(peer.peerPort)",
        ]) { _, new in new }
    }

    func expand(_ template: [CommandArgument]) -> [String] {
        let own = values
        return template.flatMap { argument -> [String] in
            switch argument {
            case .single(let text):
                return [text.expand(own)]
            case .repeated(let texts, let selection):
                return select(selection).flatMap { peer in texts.map { $0.expand(values(with: peer)) } }
            case .joined(let text, let selection, let separator, let prefix):
                let joined = select(selection).map { text.expand(values(with: $0)) }.joined(separator: separator)
                return [(prefix?.expand(own) ?? "") + joined]
            }
        }
    }

    private func select(_ selection: CommandArgument.NodeSelection) -> [NodeAddress] {
        selection == .all ? cluster : cluster.filter { $0.id != node.id }
    }
}

/// One request template filled in with an operation's values.
public struct RequestExpansion {
    public var method: HTTPMethod
    public var path: String
    public var body: [UInt8]?
    public var headers: [(String, String)]

    public init(_ request: RequestDefinition, values: [String: String]) {
        method = HTTPMethod(rawValue: request.method)
        path = request.path.expand(values)
        body = request.body.map { Array($0.expand(values).utf8) }
        headers = request.headers.map { ($0.name, $0.value.expand(values)) }
    }
}
