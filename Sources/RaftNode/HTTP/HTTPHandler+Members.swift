import NIOCore
import NIOHTTP1

/// `GET /admin/members`, `POST /admin/members` (add as learner) and `DELETE /admin/members/{id}`.
extension HTTPHandler {
    func routeMembers(_ context: ChannelHandlerContext, _ h: HTTPRequestHead, _ path: String, _ text: String) {
        let loop = context.eventLoop
        switch (h.method, path) {
        case (.GET, "/admin/members"):
            reply(context, h, node.members().map { (.ok, JSON.members($0)) })
        case (.POST, "/admin/members"):
            guard let obj = JSON.parseStringObject(text), let id = obj["id"], !id.isEmpty,
                  let raft = obj["raft"].flatMap({ try? HostPort(parsing: $0) }),
                  let http = obj["http"].flatMap({ try? HostPort(parsing: $0) }) else {
                respond(context, h, .badRequest,
                        JSON.error("body must be {\"id\":\"n4\",\"raft\":\"HOST:PORT\",\"http\":\"HOST:PORT\"}"))
                return
            }
            let change = MembershipChange.addLearner(id: id, address: Member.address(raft: raft, http: http))
            reply(context, h, node.changeMembership(change, on: loop).map {
                (.ok, "{\"index\":\($0.index),\"learner\":true}")
            })
        case (.DELETE, _) where path.hasPrefix("/admin/members/"):
            let id = String(path.dropFirst("/admin/members/".count))
            guard !id.isEmpty else {
                respond(context, h, .badRequest, JSON.error("missing member id in \(h.uri)"))
                return
            }
            reply(context, h, node.changeMembership(.remove(id: id), on: loop).map { (.ok, "{\"index\":\($0.index)}") })
        default:
            respond(context, h, .methodNotAllowed, JSON.error("method \(h.method) not allowed on \(path)"))
        }
    }
}

extension JSON {
    /// `{"index":N,"committed":true,"leader":"n1","members":[{"id":"n1","raft":"…","http":"…","voter":true}]}`
    static func members(_ v: MembershipView) -> String {
        let members = v.membership.members.map { m in
            let (raft, http) = m.hostPorts.map { ($0.raft.description, $0.http.description) } ?? ("", "")
            return "{\"id\":\(string(m.id)),\"raft\":\(string(raft)),\"http\":\(string(http)),"
                + "\"voter\":\(!m.learner)}"
        }
        return "{\"index\":\(v.index),\"committed\":\(v.committed),\"leader\":\(optional(v.leader)),"
            + "\"members\":[\(members.joined(separator: ","))]}"
    }
}
