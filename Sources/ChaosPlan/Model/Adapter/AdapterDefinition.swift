/// A declarative system adapter (`system: custom`): how to start a node, talk to it as a client, read its
/// status and, optionally, its log — written in YAML by users instead of Swift. See docs/adapters.md.
public struct AdapterDefinition: Sendable, Hashable {
    /// The node's argument vector, program first; expanded per node and never passed through a shell.
    public var command: [CommandArgument]
    public var client: ClientDefinition
    public var status: StatusDefinition
    /// Where the node's log digests come from, for the divergence checker; nil = the system cannot say.
    public var log: LogDefinition?
    /// The membership API for the `membership` fault; nil = the system's membership cannot be changed.
    public var membership: MembershipDefinition? = nil
    /// The adapter as YAML (block style), recorded inline in a run's resolved plan so the run replays alone.
    public var yaml: String
}

/// One element of the command template.
public enum CommandArgument: Sendable, Hashable {
    /// One argument.
    case single(Template)
    /// These arguments once per node in `nodes`, with `{peer.*}` naming that node.
    case repeated([Template], nodes: NodeSelection)
    /// One argument: `template` expanded per node in `nodes` (`{peer.*}`), joined with `separator`, after
    /// `prefix`.
    case joined(Template, nodes: NodeSelection, separator: String, prefix: Template?)

    public enum NodeSelection: String, Sendable, Hashable {
        /// Every node but the one being started.
        case peers
        /// Every node, the one being started included.
        case all
    }
}

/// The client operations and how to read their answers.
public struct ClientDefinition: Sendable, Hashable {
    public var read: OperationDefinition?
    public var write: OperationDefinition?
    public var cas: OperationDefinition?
    public var append: OperationDefinition?
    /// Answers that mean "not the leader, nothing was done": the client retries, at the hinted node if any.
    public var notLeader: [ResponseMatch] = []
    /// Where a not-leader answer names the leader (its node id, `n1`...).
    public var leaderHint: FieldRead?
    /// Answers to a write that mean it definitely did not take effect (`fail`); other errors are `info`.
    public var definiteFailure = [ResponseMatch(status: .init(code: 400, wholeClass: true))]
}

/// One HTTP request template.
public struct RequestDefinition: Sendable, Hashable {
    public var method: String
    /// Path and query, e.g. `/kv/{key|url}`.
    public var path: Template
    public var body: Template?
    /// Header name and value template, in the order written.
    public var headers: [Header]

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: Template
    }
}

/// One client operation: its request, which answers mean success (and, for reads, "no such key"), and where
/// its result is.
public struct OperationDefinition: Sendable, Hashable {
    public var request: RequestDefinition
    public var ok: [ResponseMatch]
    /// Reads only: answers meaning the key was never written.
    public var absent: [ResponseMatch]
    /// The read value, the cas "swapped" flag, or the appended entry's index.
    public var result: FieldRead?
}

/// A test on an HTTP answer: its status (one code or a class like `4xx`), and optionally a JSON field's value.
public struct ResponseMatch: Sendable, Hashable {
    public struct Status: Sendable, Hashable {
        public var code: Int
        /// `4xx`: any code of the same hundred.
        public var wholeClass: Bool

        public init(code: Int, wholeClass: Bool = false) {
            self.code = code
            self.wholeClass = wholeClass
        }

        public func matches(_ status: Int) -> Bool { wholeClass ? status / 100 == code / 100 : status == code }
    }

    public var status: Status
    public var field: FieldPath?
    /// The field's JSON value as text (`true`, `42`, `leader`).
    public var equals: String?
}

/// A path into a JSON answer: keys, and indexes into arrays (`kvs.0.value`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public var steps: [String]

    public init(_ text: String) {
        steps = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    public var description: String { steps.joined(separator: ".") }
}

/// A field to read from a JSON answer, decoded if need be, with a value for when it is missing (systems that
/// omit defaults, like etcd leaving out `false`).
public struct FieldRead: Sendable, Hashable {
    public enum Decoding: String, Sendable, Hashable, CaseIterable {
        case base64
    }

    public var path: FieldPath
    public var decode: Decoding?
    public var missing: String?
}

/// The status endpoint and where each figure is in its answer.
public struct StatusDefinition: Sendable, Hashable {
    public var request: RequestDefinition
    public var commit: FieldRead
    public var applied: FieldRead
    public var leader: FieldRead?
    /// The node's own id in the terms `leader` uses (etcd's numeric member id); nil = the node id (`n1`).
    public var selfID: FieldRead?
    public var term: FieldRead?
    public var role: FieldRead?
    /// The system's role words mapped to chaos's (`leader`, `follower`, `candidate`); identity when empty.
    public var roles: [String: String]
    public var last: FieldRead?
    public var snapshot: FieldRead?
}

/// A paged log-digest endpoint: `{from}`/`{to}` in the request, a list of entries in the answer.
public struct LogDefinition: Sendable, Hashable {
    public var request: RequestDefinition
    public var entries: FieldPath
    public var index: FieldPath
    public var term: FieldPath
    public var digest: FieldPath
    /// The node's commit index as of the page, if the answer carries it.
    public var commit: FieldPath?
    /// Where an entry says what it does, for following the committed log (log-informed linearizability); nil
    /// when the endpoint serves digests only.
    public var contents: LogContents? = nil
}

/// An entry's operation (`put`, `cas`, anything else), key, value and a CAS's expected value, by field path.
public struct LogContents: Sendable, Hashable {
    public var op: FieldPath
    public var key: FieldPath
    public var value: FieldPath
    public var expected: FieldPath?

    public init(op: FieldPath, key: FieldPath, value: FieldPath, expected: FieldPath?) {
        self.op = op
        self.key = key
        self.value = value
        self.expected = expected
    }
}
