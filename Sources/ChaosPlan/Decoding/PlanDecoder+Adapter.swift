import Foundation
import Yams

/// `cluster.adapter` for `system: custom`: a file next to the plan, or an inline mapping; decoded with the same
/// located diagnostics as the plan (the file's own name in messages).
extension PlanDecoder {
    static let adapterKeys = ["command", "client", "status", "log", "membership"]
    static let commandSlots = ["id", "ip", "host", "port", "peer_port", "data_dir", "binary", "peers"]
    static let peerSlots = commandSlots + ["peer.id", "peer.ip", "peer.host", "peer.port", "peer.peer_port"]

    /// The adapter under `entry`: read from the file it names (relative to the plan) or decoded in place.
    mutating func decodeAdapterEntry(_ entry: Entry) -> AdapterDefinition? {
        if case .mapping = entry.value { return decodeAdapter(entry.value) }
        guard let relative = string(entry) else { return nil }
        let path = Self.resolve(relative, besideFile: file)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let exists = FileManager.default.fileExists(atPath: path)
            let reason = exists ? "not readable UTF-8 text" : "no such file"
            error("cannot read adapter '\(relative)' (\(reason) at '\(path)'); the path is relative to the plan "
                  + "file, or give the adapter inline as a mapping", at: entry.value)
            return nil
        }
        var composer = DocumentComposer(text: text, file: path)
        let root = composer.compose()
        diagnostics += composer.diagnostics
        guard let root else {
            if composer.diagnostics.isEmpty {
                diagnostics.append(Diagnostic(
                    location: SourceLocation(file: path, line: 1, column: 1),
                    message: "the adapter is empty; it needs 'command', 'client' and 'status'"))
            }
            return nil
        }
        var decoder = PlanDecoder(file: path, ignoredKeys: composer.ignoredKeys)
        let adapter = decoder.decodeAdapter(root)
        diagnostics += decoder.diagnostics
        return adapter
    }

    /// `relative` seen from the directory of `file`, with `.` and `..` folded so messages show a clean path.
    static func resolve(_ relative: String, besideFile file: String) -> String {
        let joined = relative.hasPrefix("/") ? relative
            : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else { parts.append(part) }
        }
        return (joined.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    mutating func decodeAdapter(_ node: Node) -> AdapterDefinition? {
        guard let fields = fields(of: node, named: "adapter", known: Self.adapterKeys) else { return nil }
        let command = required("command", in: fields).flatMap { decodeCommand($0) }
        let client = required("client", in: fields).flatMap { decodeClient($0) }
        let status = required("status", in: fields).flatMap { decodeStatus($0) }
        var log: LogDefinition??
        if let entry = fields["log"] { log = decodeLog(entry).map { .some($0) } } else { log = .some(nil) }
        var membership: MembershipDefinition??
        if let entry = fields["membership"] {
            membership = decodeMembershipSection(entry).map { .some($0) }
        } else {
            membership = .some(nil)
        }
        guard let command, let client, let status, let log, let membership else { return nil }
        let yaml = (try? Yams.serialize(node: node)) ?? ""
        return AdapterDefinition(command: command, client: client, status: status, log: log,
                                 membership: membership, yaml: yaml)
    }

    /// Whether the adapter defines every operation the workload issues; reports the missing ones at `entry`.
    mutating func checkAdapter(_ adapter: AdapterDefinition, serves kind: WorkloadSpec.Kind, at entry: Entry) -> Bool {
        let needed: [(String, OperationDefinition?)] = switch kind {
        case .register: [("read", adapter.client.read), ("write", adapter.client.write)]
        case .casRegister: [("read", adapter.client.read), ("write", adapter.client.write), ("cas", adapter.client.cas)]
        case .append: [("append", adapter.client.append)]
        }
        let missing = needed.filter { $0.1 == nil }.map { "'\($0.0)'" }
        guard missing.isEmpty else {
            error("workload '\(kind.rawValue)' needs the adapter's \(missing.joined(separator: " and ")) "
                  + "operation\(missing.count == 1 ? "" : "s"); add \(missing.count == 1 ? "it" : "them") under "
                  + "'client' in the adapter or choose another workload kind", at: entry.key)
            return false
        }
        return true
    }

    /// raft-node's own settings do nothing for a custom system; say so rather than ignore them silently.
    /// An empty `bugs: []` (as every resolved plan.yaml writes it) sets nothing and is not worth a warning.
    mutating func warnAboutRaftNodeSettings(_ fields: Fields) {
        for key in ["election_timeout", "heartbeat", "snapshot_every", "bugs"] {
            guard let entry = fields[key], entry.value.sequence?.isEmpty != true else { continue }
            warning("'\(key)' is a raft-node setting and does nothing with system 'custom'; pass the node's own "
                    + "flags in 'args' or in the adapter's command", at: entry.key)
        }
    }

    // MARK: Command

    private mutating func decodeCommand(_ entry: Entry) -> [CommandArgument]? {
        guard let items = entry.value.sequence, !items.isEmpty else {
            error("'command' must be a non-empty list: the program (usually \"{binary}\") and its arguments"
                  + ", got \(describe(entry.value))", at: entry.value)
            return nil
        }
        var arguments: [CommandArgument] = []
        var failed = false
        for item in items {
            if let argument = decodeArgument(item) { arguments.append(argument) } else { failed = true }
        }
        return failed ? nil : arguments
    }

    mutating func decodeArgument(_ item: Node) -> CommandArgument? {
        guard case .mapping = item else {
            return template(item, name: "command", allowed: Self.commandSlots).map { .single($0) }
        }
        let known = ["each_peer", "each_node", "join", "nodes", "separator", "prefix"]
        guard let fields = fields(of: item, named: "command", known: known) else { return nil }
        let forms = ["each_peer", "each_node", "join"].filter { fields[$0] != nil }
        guard forms.count == 1 else {
            error("a mapping in 'command' needs exactly one of 'each_peer', 'each_node' (arguments repeated per node)"
                  + " or 'join' (one argument joined over the nodes)", at: item)
            return nil
        }
        if let entry = fields["each_peer"] ?? fields["each_node"] {
            for extra in ["nodes", "separator", "prefix"] {
                if let stray = fields[extra] {
                    error("'\(extra)' goes with 'join', not '\(entry.name)'", at: stray.key)
                }
            }
            guard let texts = entry.value.sequence, !texts.isEmpty else {
                error("'\(entry.name)' must be a non-empty list of arguments, got \(describe(entry.value))",
                      at: entry.value)
                return nil
            }
            let templates = texts.compactMap { template($0, name: entry.name, allowed: Self.peerSlots) }
            guard templates.count == texts.count else { return nil }
            return .repeated(templates, nodes: entry.name == "each_peer" ? .peers : .all)
        }
        let join = fields["join"]!
        var nodes = CommandArgument.NodeSelection.all
        if let entry = fields["nodes"] {
            guard let text = string(entry) else { return nil }
            guard let selection = CommandArgument.NodeSelection(rawValue: text) else {
                error("'nodes' must be 'all' or 'peers', got '\(text)'", at: entry.value)
                return nil
            }
            nodes = selection
        }
        let separator = fields["separator"].map { string($0) } ?? ","
        let prefix = fields["prefix"].map { template($0.value, name: "prefix", allowed: Self.commandSlots) }
        guard let body = template(join.value, name: "join", allowed: Self.peerSlots), let separator,
              prefix != .some(nil) else { return nil }
        return .joined(body, nodes: nodes, separator: separator, prefix: prefix ?? nil)
    }

    // MARK: Templates

    /// A template scalar whose placeholders must be among `allowed`; each unknown one is reported at its column.
    mutating func template(_ node: Node, name: String, allowed: [String]) -> Template? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            error("'\(name)' must be text, got \(describe(node))", at: node)
            return nil
        }
        let (template, problems) = Template.parse(scalar.string, allowed: allowed)
        for problem in problems {
            var place = location(node)
            let before = scalar.string.prefix(problem.offset)
            if !before.contains("\n") {
                let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                place.column += before.count + (quoted ? 1 : 0)
            }
            diagnostics.append(Diagnostic(location: place, message: problem.problem))
        }
        return problems.isEmpty ? template : nil
    }
}
