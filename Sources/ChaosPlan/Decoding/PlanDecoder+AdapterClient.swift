import Yams

/// The HTTP parts of an adapter: client operations, the status endpoint and the log endpoint.
extension PlanDecoder {
    static let requestKeys = ["method", "path", "body", "headers"]
    static let httpMethods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    static let clientKeys = ["read", "write", "cas", "append", "not_leader", "leader_hint", "definite_failure"]
    static let statusKeys = requestKeys + ["commit", "applied", "leader", "self", "term", "role", "roles", "last",
                                            "snapshot"]
    static let logKeys = requestKeys + ["entries", "index", "term", "digest", "commit", "op", "key", "value",
                                        "expected"]

    /// Each operation: the placeholders its request may use, its default method, and its result key.
    private static let operations: [(name: String, slots: [String], method: String, result: String?)] = [
        ("read", ["key"], "GET", "value"),
        ("write", ["key", "value"], "POST", nil),
        ("cas", ["key", "from", "to"], "POST", "succeeded"),
        ("append", ["value"], "POST", "index"),
    ]

    mutating func decodeClient(_ entry: Entry) -> ClientDefinition? {
        guard let fields = fields(of: entry, known: Self.clientKeys) else { return nil }
        var client = ClientDefinition()
        var failed = false
        var decoded: [String: OperationDefinition] = [:]
        for operation in Self.operations {
            guard let entry = fields[operation.name] else { continue }
            if let definition = decodeOperation(entry, slots: operation.slots, method: operation.method,
                                                result: operation.result) {
                decoded[operation.name] = definition
            } else {
                failed = true
            }
        }
        if decoded.isEmpty, !failed {
            error("'client' needs at least one operation (read, write, cas, append)", at: fields.node)
            failed = true
        }
        client.read = decoded["read"]
        client.write = decoded["write"]
        client.cas = decoded["cas"]
        client.append = decoded["append"]
        if let entry = fields["not_leader"] {
            if let matches = responseMatches(entry) { client.notLeader = matches } else { failed = true }
        }
        if let entry = fields["leader_hint"] {
            if let hint = fieldRead(entry) { client.leaderHint = hint } else { failed = true }
        }
        if let entry = fields["definite_failure"] {
            if let matches = responseMatches(entry) { client.definiteFailure = matches } else { failed = true }
        }
        return failed ? nil : client
    }

    private mutating func decodeOperation(_ entry: Entry, slots: [String], method: String, result: String?)
        -> OperationDefinition?
    {
        var known = Self.requestKeys + ["ok"] + (result.map { [$0] } ?? [])
        if entry.name == "read" { known.append("absent") }
        guard let fields = fields(of: entry, known: known) else { return nil }
        let request = decodeRequest(fields, slots: slots, defaultMethod: method)
        let ok = fields["ok"].map { responseMatches($0) } ?? [ResponseMatch(status: .init(code: 200, wholeClass: true))]
        let absent = fields["absent"].map { responseMatches($0) } ?? []
        var read: FieldRead??  = .some(nil)
        if let result {
            read = required(result, in: fields).flatMap { fieldRead($0) }.map { .some($0) }
        }
        guard let request, let ok, let absent, let read else { return nil }
        return OperationDefinition(request: request, ok: ok, absent: absent, result: read)
    }

    /// `method`, `path`, `body`, `headers` of one request; `path` is required.
    mutating func decodeRequest(_ fields: Fields, slots: [String], defaultMethod: String)
        -> RequestDefinition?
    {
        var failed = false
        var method = defaultMethod
        if let entry = fields["method"], let text = string(entry) {
            if Self.httpMethods.contains(text) { method = text } else {
                error("unknown HTTP method '\(text)'" + Suggestion.hint(for: text, among: Self.httpMethods),
                      at: entry.value)
                failed = true
            }
        } else if fields["method"] != nil {
            failed = true
        }
        let path = required("path", in: fields).flatMap { template($0.value, name: "path", allowed: slots) }
        if let path, !path.description.hasPrefix("/"), let entry = fields["path"] {
            error("'path' must start with '/', got '\(path.description)'", at: entry.value)
            failed = true
        }
        let body = fields["body"].map { template($0.value, name: "body", allowed: slots) }
        var headers: [RequestDefinition.Header] = []
        if let entry = fields["headers"] {
            if let mapping = entry.value.mapping {
                for (key, value) in mapping {
                    guard let name = key.scalar?.string, let value = template(value, name: name, allowed: slots)
                    else { failed = true; continue }
                    headers.append(.init(name: name, value: value))
                }
            } else {
                error("'headers' must be a mapping of header names to values, got \(describe(entry.value))",
                      at: entry.value)
                failed = true
            }
        }
        guard !failed, let path, body != .some(nil) else { return nil }
        return RequestDefinition(method: method, path: path, body: body ?? nil, headers: headers)
    }

    // MARK: Answers

    /// A list of matches (a single one is taken as a list of one): `200`, `4xx`, or
    /// `{ status: 503, field: definite, equals: true }`.
    mutating func responseMatches(_ entry: Entry) -> [ResponseMatch]? {
        let items = entry.value.sequence.map(Array.init) ?? [entry.value]
        var matches: [ResponseMatch] = []
        for item in items {
            if case .mapping = item {
                guard let fields = fields(of: item, named: entry.name, known: ["status", "field", "equals"]),
                      let statusEntry = required("status", in: fields),
                      let status = responseStatus(statusEntry.value, name: entry.name) else { return nil }
                var match = ResponseMatch(status: status)
                if let field = fields["field"] {
                    guard let text = string(field) else { return nil }
                    match.field = FieldPath(text)
                    guard let equals = fields["equals"].flatMap({ string($0) }) else {
                        error("'field' needs 'equals' (the value that makes the answer match)", at: field.key)
                        return nil
                    }
                    match.equals = equals
                } else if let equals = fields["equals"] {
                    error("'equals' needs 'field' (the JSON field to compare)", at: equals.key)
                    return nil
                }
                matches.append(match)
            } else {
                guard let status = responseStatus(item, name: entry.name) else { return nil }
                matches.append(ResponseMatch(status: status))
            }
        }
        return matches
    }

    /// `200` or a class like `4xx`.
    private mutating func responseStatus(_ node: Node, name: String) -> ResponseMatch.Status? {
        let text = node.scalar?.string ?? ""
        if let code = Int(text), (100...599).contains(code) { return .init(code: code) }
        if text.count == 3, text.hasSuffix("xx"), let digit = Int(text.prefix(1)), (1...5).contains(digit) {
            return .init(code: digit * 100, wholeClass: true)
        }
        error("each entry of '\(name)' must be an HTTP status such as 200 or a class such as 4xx"
              + ", got \(describe(node))", at: node)
        return nil
    }

    /// A JSON field path (`value`, `kvs.0.value`) or `{ path: ..., decode: base64, missing: ... }`.
    mutating func fieldRead(_ entry: Entry) -> FieldRead? {
        guard case .mapping = entry.value else {
            guard let text = string(entry) else { return nil }
            return checkedPath(text, at: entry.value).map { FieldRead(path: $0) }
        }
        guard let fields = fields(of: entry, known: ["path", "decode", "missing"]) else { return nil }
        let path = required("path", in: fields).flatMap { fieldPath($0) }
        let decode = fields["decode"].map { choice($0, what: "decoding") as FieldRead.Decoding? }
        let missing = fields["missing"].map { string($0) }
        guard let path, decode != .some(nil), missing != .some(nil) else { return nil }
        return FieldRead(path: path, decode: decode ?? nil, missing: missing ?? nil)
    }

    mutating func fieldPath(_ entry: Entry) -> FieldPath? {
        string(entry).flatMap { checkedPath($0, at: entry.value) }
    }

    private mutating func checkedPath(_ text: String, at node: Node) -> FieldPath? {
        let path = FieldPath(text)
        guard !text.isEmpty, !path.steps.contains(where: \.isEmpty) else {
            error("a JSON field path is names and list indexes joined by '.', like 'kvs.0.value', got '\(text)'",
                  at: node)
            return nil
        }
        return path
    }

    // MARK: Status and log

    mutating func decodeStatus(_ entry: Entry) -> StatusDefinition? {
        guard let fields = fields(of: entry, known: Self.statusKeys) else { return nil }
        let request = decodeRequest(fields, slots: ["id"], defaultMethod: "GET")
        let commit = required("commit", in: fields).flatMap { fieldRead($0) }
        let applied = required("applied", in: fields).flatMap { fieldRead($0) }
        var failed = false
        func optional(_ key: String) -> FieldRead? {
            guard let entry = fields[key] else { return nil }
            let read = fieldRead(entry)
            if read == nil { failed = true }
            return read
        }
        let leader = optional("leader"), selfID = optional("self"), term = optional("term"), role = optional("role")
        let last = optional("last"), snapshot = optional("snapshot")
        if fields["leader"] == nil, fields["role"] == nil {
            error("'status' needs 'role' or 'leader' (chaos finds the leader from them)", at: fields.node)
            failed = true
        }
        var roles: [String: String] = [:]
        if let entry = fields["roles"] {
            let words = ["leader", "follower", "candidate"]
            if let roleFields = self.fields(of: entry, known: words, what: "role") {
                for (word, roleEntry) in roleFields.entries {
                    if let theirs = string(roleEntry) { roles[theirs] = word } else { failed = true }
                }
            } else {
                failed = true
            }
        }
        guard !failed, let request, let commit, let applied else { return nil }
        return StatusDefinition(request: request, commit: commit, applied: applied, leader: leader, selfID: selfID,
                                term: term,
                                role: role, roles: roles, last: last, snapshot: snapshot)
    }

    mutating func decodeLog(_ entry: Entry) -> LogDefinition? {
        guard let fields = fields(of: entry, known: Self.logKeys) else { return nil }
        let request = decodeRequest(fields, slots: ["from", "to", "id"], defaultMethod: "GET")
        if let request, !(request.path.slots + (request.body?.slots ?? [])).contains("from"),
           let path = fields["path"] {
            error("the log request must use '{from}' (and '{to}') so chaos can page through the log", at: path.value)
            return nil
        }
        let entries = required("entries", in: fields).flatMap { fieldPath($0) }
        let index = required("index", in: fields).flatMap { fieldPath($0) }
        let term = required("term", in: fields).flatMap { fieldPath($0) }
        let digest = required("digest", in: fields).flatMap { fieldPath($0) }
        let commit = fields["commit"].map { fieldPath($0) }
        guard let request, let entries, let index, let term, let digest, commit != .some(nil) else { return nil }
        var log = LogDefinition(request: request, entries: entries, index: index, term: term, digest: digest,
                                commit: commit ?? nil)
        if let contents = decodeLogContents(fields) { log.contents = contents }
        return log
    }
}

extension PlanDecoder {
    /// `op`, `key`, `value` (and optionally `expected`) of a log endpoint: all three or none.
    mutating func decodeLogContents(_ fields: Fields) -> LogContents? {
        let given = ["op", "key", "value", "expected"].filter { fields[$0] != nil }
        guard !given.isEmpty else { return nil }
        for name in ["op", "key", "value"] where fields[name] == nil {
            error("missing required key '\(name)' (a log that says what its entries hold needs op, key and value)",
                  at: fields.node)
        }
        let path = { (name: String, decoder: inout PlanDecoder) -> FieldPath? in
            fields[name].flatMap { decoder.string($0).map(FieldPath.init) }
        }
        guard let op = path("op", &self), let key = path("key", &self), let value = path("value", &self) else {
            return nil
        }
        return LogContents(op: op, key: key, value: value, expected: path("expected", &self))
    }
}
