import ChaosControl
/// How one client operation ended, in Jepsen's terms.
public enum OpOutcome<Result: Sendable>: Sendable {
    /// It took effect (or, for a read, observed) with this result.
    case ok(Result)
    /// It definitely did not take effect.
    case fail(String)
    /// Unknown whether it took effect.
    case info(String)
}

/// One client session against a system: the operations the workloads need.
///
/// A session is used by one workload process at a time; it follows the cluster's leader on its own.
public protocol SystemClient: Sendable {
    /// Reads a register; nil when the key has never been written.
    func read(_ key: String, timeout: Duration) async -> OpOutcome<String?>
    func write(_ key: String, _ value: String, timeout: Duration) async -> OpOutcome<Void>
    /// Compare-and-set: `ok(true)` swapped, `ok(false)` the current value was not `from`.
    func cas(_ key: String, from: String, to: String, timeout: Duration) async -> OpOutcome<Bool>
    /// Appends to the replicated log; returns the index the entry got.
    func append(_ entry: String, timeout: Duration) async -> OpOutcome<Int64>
    /// The node the next request goes to.
    var currentNode: String { get }
    /// Sends the next request to `node` (a client bound to a node starts each operation there).
    func begin(at node: String)
    /// Drops open connections (the client is being retired or its process id replaced).
    func close()
}

/// A system whose client lives here: every adapter in `SystemRegistry` conforms, in the folder of its client
/// (`RaftNode/`, `Etcd/`, `Custom/`), so the adapter layer (ChaosControl) knows nothing of clients.
public protocol ClientProviding: SystemAdapter {
    /// A client session for one workload process, able to reach every node, its connections on `loop`: the
    /// loop the session's caller runs on (see `ClientLoop`), or requests change thread twice each.
    func makeClient(cluster: [NodeAddress], loop: ClientLoop) -> any SystemClient
}

extension ClientProviding {
    /// A client session whose connections live on the next loop of NIO's shared group.
    public func makeClient(cluster: [NodeAddress]) -> any SystemClient {
        makeClient(cluster: cluster, loop: .next())
    }
}
