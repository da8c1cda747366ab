/// Where each node keeps its data directory (`cluster.disk`).
public enum DiskMode: String, Sendable, Hashable, CaseIterable {
    /// The run directory's `nodes/<id>/data`, as it is: the kernel's page cache keeps everything written.
    case plain
    /// `nodes/<id>/data` served through chaos's FUSE layer, which keeps written data in its own cache until
    /// the node makes it durable, so `power-failure` can drop the rest (docs/disk.md).
    case cached
}

/// The settings of a disk fault: `power-failure`, `disk-error` or `disk-latency` (needs `disk: cached`).
public struct DiskFault: Sendable, Hashable {
    /// The operations an error or a delay applies to.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case write, fsync, read
    }

    /// The error a `disk-error` returns.
    public enum ErrorCode: String, Sendable, Hashable, CaseIterable {
        case eio = "EIO"
        case enospc = "ENOSPC"
    }

    /// `power-failure`: the first part of the last undurable write survives (a torn write).
    public var torn: Bool
    /// `disk-error`: what failing operations return.
    public var error: ErrorCode
    /// `disk-error` and `disk-latency`: which operations are hit.
    public var operations: [Operation]
    /// `disk-error`: a POSIX extended regular expression on the path inside the data directory (`^/wal/`);
    /// nil = every path.
    public var path: String?
    /// `disk-latency`: the mean delay and its spread (uniform in `delay ± jitter`).
    public var delay: Duration
    public var jitter: Duration

    public init(torn: Bool = false, error: ErrorCode = .eio, operations: [Operation] = [.write, .fsync],
                path: String? = nil, delay: Duration = .zero, jitter: Duration = .zero) {
        self.torn = torn
        self.error = error
        self.operations = operations
        self.path = path
        self.delay = delay
        self.jitter = jitter
    }
}

extension Fault {
    /// Faults of the data-directory layer; they need `cluster: { disk: cached }`.
    public var isDisk: Bool {
        self == .powerFailure || self == .diskError || self == .diskLatency
    }
}
