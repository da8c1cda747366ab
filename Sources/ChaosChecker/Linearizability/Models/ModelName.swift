/// The sequential models the linearizability checker knows, by the name plans and `chaos check --model` use.
public enum ModelName: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// Read and write of one register per key.
    case register
    /// Read, write and compare-and-set; Knossos's, starting at 0 (a failed CAS did not happen).
    case casRegister = "cas-register"
    /// Several registers read and written together (Jepsen's multi-register).
    case multiRegister = "multi-register"
    /// Porcupine's key-value model: get, put and append of a string per key.
    case kv
    /// Porcupine's etcd model: starts absent, a read of nil saw the absence, a failed CAS saw another value.
    case etcdRegister = "etcd-register"
    /// An append-only log: append returns an index, read returns the whole log.
    case appendLog = "append-log"

    /// The models a plan may name (`checks.linearizable.model`); the others judge imported histories only.
    public static let inPlans: [ModelName] = [.register, .casRegister, .appendLog]

    public var description: String { rawValue }

    /// Every name, for help texts and error messages.
    public static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
