import Yams

/// An adapter's optional `membership` section (list, add and remove members, how a node joins), and the check
/// that a plan's `membership` faults have one to drive.
extension PlanDecoder {
    static let membershipSectionKeys = ["list", "add", "remove", "join", "add_before_start", "stop_before_remove",
                                        "rejoin_empty"]
    /// The node being added or removed, as in the command template.
    static let memberSlots = ["id", "ip", "host", "port", "peer_port"]

    mutating func decodeMembershipSection(_ entry: Entry) -> MembershipDefinition? {
        guard let fields = fields(of: entry, known: Self.membershipSectionKeys) else { return nil }
        let list = required("list", in: fields).flatMap { decodeMemberList($0) }
        let add = required("add", in: fields).flatMap { decodeMemberChange($0, method: "POST", slots: Self.memberSlots) }
        let remove = required("remove", in: fields).flatMap { decodeMemberChange($0, method: "DELETE", slots: ["id"]) }
        var failed = false
        var join: [CommandArgument] = []
        if let entry = fields["join"] {
            if let items = entry.value.sequence {
                for item in items {
                    if let argument = decodeArgument(item) { join.append(argument) } else { failed = true }
                }
            } else {
                error("'join' must be a list of arguments added to the command of a node joining a running "
                      + "cluster (like [--join]), got \(describe(entry.value))", at: entry.value)
                failed = true
            }
        }
        func flag(_ key: String) -> Bool {
            guard let entry = fields[key] else { return false }
            guard let text = string(entry) else { failed = true; return false }
            guard text == "true" || text == "false" else {
                error("'\(key)' must be true or false, got '\(text)'", at: entry.value)
                failed = true
                return false
            }
            return text == "true"
        }
        let addBeforeStart = flag("add_before_start"), stopBeforeRemove = flag("stop_before_remove")
        let rejoinEmpty = flag("rejoin_empty")
        guard !failed, let list, let add, let remove else { return nil }
        return MembershipDefinition(list: list, add: add, remove: remove, join: join, addBeforeStart: addBeforeStart,
                                    stopBeforeRemove: stopBeforeRemove, rejoinEmpty: rejoinEmpty)
    }

    private mutating func decodeMemberList(_ entry: Entry) -> MemberListDefinition? {
        guard let fields = fields(of: entry, known: Self.requestKeys + ["members", "id", "voter", "committed"])
        else { return nil }
        let request = decodeRequest(fields, slots: ["id"], defaultMethod: "GET")
        let members = required("members", in: fields).flatMap { fieldPath($0) }
        let id = required("id", in: fields).flatMap { fieldPath($0) }
        let voter = fields["voter"].map { fieldRead($0) }
        let committed = fields["committed"].map { fieldRead($0) }
        guard let request, let members, let id, voter != .some(nil), committed != .some(nil) else { return nil }
        return MemberListDefinition(request: request, members: members, id: id, voter: voter ?? nil,
                                    committed: committed ?? nil)
    }

    private mutating func decodeMemberChange(_ entry: Entry, method: String, slots: [String])
        -> MemberChangeDefinition? {
        guard let fields = fields(of: entry, known: Self.requestKeys + ["ok", "refused"]) else { return nil }
        let request = decodeRequest(fields, slots: slots, defaultMethod: method)
        let ok = fields["ok"].map { responseMatches($0) } ?? [ResponseMatch(status: .init(code: 200, wholeClass: true))]
        let refused = fields["refused"].map { responseMatches($0) } ?? [ResponseMatch(status: .init(code: 400))]
        guard let request, let ok, let refused else { return nil }
        return MemberChangeDefinition(request: request, ok: ok, refused: refused)
    }

    /// A `membership` fault needs a system whose membership chaos can change: raft-node, etcd, or a custom
    /// adapter with a `membership` section. Reported at the step, with what to add.
    /// `change: grow` needs spares (`cluster.members` below `nodes`) and a target among them.
    mutating func checkMembershipFaults(_ steps: [NemesisStep], cluster: ClusterSpec, nemesis: Entry) -> Bool {
        var ok = true
        func report(_ message: String, _ step: NemesisStep) {
            ok = false
            if let place = step.location {
                diagnostics.append(Diagnostic(location: place, message: message))
            } else {
                error(message, at: nemesis.key)
            }
        }
        let membershipSteps = steps.filter { $0.faults.contains(.membership) }
        if cluster.system == .custom, cluster.adapter?.membership == nil, let step = membershipSteps.first {
            report("'membership' needs the adapter's membership API, which it lacks: add a 'membership' section "
                   + "with 'list', 'add' and 'remove' requests to the adapter (docs/adapters.md, \"membership\")",
                   step)
        }
        let spares = cluster.spareIDs
        for step in membershipSteps where step.membership?.change == .grow {
            if spares.isEmpty {
                report("'change: grow' adds the cluster's spare nodes, but every node is a member: set 'members' "
                       + "in 'cluster' below 'nodes' (e.g. nodes: 5, members: 3)", step)
                continue
            }
            if step.faults.count > 1 {
                report("'change: grow' targets spare nodes, which the step's other faults cannot: give grow a step "
                       + "of its own", step)
                continue
            }
            switch step.target {
            case .all, .random: continue
            case .node(let id) where spares.contains(id): continue
            default:
                report("'change: grow' picks among the spare nodes (\(spares.joined(separator: ", "))): use target "
                       + "'all', 'random' or one of them, not '\(step.target)'", step)
            }
        }
        return ok
    }
}
