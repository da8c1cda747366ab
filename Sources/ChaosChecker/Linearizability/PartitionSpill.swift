import ChaosHistory
import Foundation
import Glibc

/// One pass over a history file that pairs its calls while they fit in a batch, and otherwise leaves the
/// history split by key into spill files, so that a long run is searched a batch of keys at a time.
///
/// Reading the whole file again for each batch would cost a pass per batch; the spill costs one write of the
/// history and one read, whatever the number of batches. Keys go to buckets in order of first call (key i to
/// bucket i mod 256), each operation to its call's bucket (a completion follows its invocation, whatever key
/// it names), carrying its history position as `index`.
enum PartitionSpill {
    static let buckets = 256

    enum Outcome {
        /// The history's calls fitted in one batch (or must be regrouped, which needs them all).
        case whole([CallPairing.Partition])
        case spilled(Spilled)
    }

    /// Spill files of one history, closed (and so gone) when the last reference goes.
    ///
    /// Each file is unlinked as soon as it is created and read back through `/proc/self/fd`: a judging that is
    /// killed (even by SIGKILL) leaves nothing in the run directory.
    final class Spilled {
        /// Per bucket: its file, its keys in order of first call and their calls.
        var files: [(path: String, keys: [(key: Value?, calls: Int)])] = []
        var descriptors: [Int32] = []

        deinit { for fd in descriptors where fd >= 0 { close(fd) } }

        var allKeys: Set<Value?> { Set(files.flatMap { $0.keys.map(\.key) }) }

        /// Consecutive buckets grouped up to `limit` calls (or one larger bucket).
        func batches(limit: Int) -> [[Int]] {
            var groups: [[Int]] = []
            var current: [Int] = [], size = 0
            for (i, file) in files.enumerated() {
                let calls = file.keys.reduce(0) { $0 + $1.calls }
                if !current.isEmpty && size + calls > limit {
                    groups.append(current)
                    current = []
                    size = 0
                }
                current.append(i)
                size += calls
            }
            if !current.isEmpty { groups.append(current) }
            return groups
        }

        /// The partitions of one batch, read back from its buckets' files.
        /// - Throws: `CheckerError` when a spill file cannot be read.
        func partitions(_ batch: [Int]) throws(CheckerError) -> [CallPairing.Partition] {
            var partitions: [CallPairing.Partition] = []
            for bucket in batch {
                partitions += try CallPairing.partitions(.file(files[bucket].path), positionsFromIndex: true)
            }
            return partitions
        }
    }

    /// Pairs the calls of the file at `path` while there are at most `limit`, else spills them.
    /// - Throws: `CheckerError` for a process that invokes while its call is open (as `CallPairing` says it),
    ///   or a file that cannot be read or spilled.
    static func read(_ path: String, limit: Int) throws(CheckerError) -> Outcome {
        // A file too short to hold more than `limit` calls (each call's lines take > 64 bytes) is only paired.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size <= limit * 128 { return .whole(try CallPairing.partitions(.file(path))) }

        let parent = (path as NSString).deletingLastPathComponent
        let name = ".linearizability-spill-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let prefix = access(parent.isEmpty ? "." : parent, W_OK) == 0
            ? "\(parent.isEmpty ? "." : parent)/\(name)" : NSTemporaryDirectory() + name
        let spilled = Spilled()
        var writers: [SpillWriter] = []
        var bucketOf: [Value?: (bucket: Int, slot: Int)] = [:]
        var open: [Int: (bucket: Int, slot: Int, f: String, position: Int, keyless: Bool)] = [:]
        var pairer: CallPairing.Pairer? = CallPairing.Pairer()
        var regroup = false
        var position = -1
        var failure: CheckerError?
        do throws(HistoryError) {
            try HistorySource.file(path).forEach { op in
                position += 1
                guard failure == nil else { return }
                var op = op
                op.index = position
                let bucket: Int
                if op.type == .invoke {
                    if let previous = open[op.process] {
                        failure = CheckerError(operation: position, "process \(op.process) invoked '\(op.f)' while "
                            + "its '\(previous.f)' from operation \(previous.position) is still open; "
                            + "a process runs one operation at a time (give a retried client a fresh process id)")
                        return
                    }
                    let place: (bucket: Int, slot: Int)
                    if let known = bucketOf[op.key] {
                        place = known
                    } else {
                        let b = bucketOf.count % buckets
                        if b == writers.count {
                            let writer = SpillWriter(path: "\(prefix)-\(b).jsonl")
                            guard writer.fd >= 0 else {
                                failure = CheckerError("\(writer.name): cannot hold the history split by key "
                                    + "(\(String(cString: strerror(writer.openError))))")
                                return
                            }
                            writers.append(writer)
                            spilled.descriptors.append(writer.fd)
                            spilled.files.append((writer.path, []))
                        }
                        place = (b, spilled.files[b].keys.count)
                        spilled.files[b].keys.append((op.key, 0))
                        bucketOf[op.key] = place
                    }
                    spilled.files[place.bucket].keys[place.slot].calls += 1
                    open[op.process] = (place.bucket, place.slot, op.f, position, op.key == nil)
                    bucket = place.bucket
                } else if let call = open.removeValue(forKey: op.process) {
                    if call.keyless && op.key != nil { regroup = true }
                    bucket = call.bucket
                } else {
                    return  // a completion without its invocation tells nothing
                }
                writers[bucket].append(op)
                if pairer != nil {
                    _ = pairer!.add(op, at: position)
                    if pairer!.calls > limit { pairer = nil }  // too many to hold: the spill files will do
                }
            }
        } catch {
            throw CheckerError("the history cannot be read: \(error)")
        }
        if let failure { throw failure }
        for i in writers.indices where !writers[i].finish() {
            throw CheckerError("\(writers[i].name): the history split by key could not be written")
        }
        if let pairer { return .whole(pairer.partitions()) }
        // Keys named only by completions are regrouped over all calls at once, as before spilling existed.
        if regroup { return .whole(try CallPairing.partitions(.file(path))) }
        return .spilled(spilled)
    }
}

/// Appends operations as chaos JSONL to one spill file, a buffer at a time. The file is unlinked at once; it lives
/// as long as its descriptor (owned by `Spilled`), and is read back through `path` (`/proc/self/fd/N`).
struct SpillWriter {
    /// Where the file was created (for messages).
    let name: String
    let fd: Int32
    let openError: Int32
    var path: String { "/proc/self/fd/\(fd)" }
    private var buffer: [UInt8] = []
    private var failed = false

    init(path: String) {
        name = path
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        openError = fd < 0 ? errno : 0
        if fd >= 0 { unlink(path) }
        failed = fd < 0
    }

    mutating func append(_ op: ChaosHistory.Operation) {
        JSONLCodec.encode(op, into: &buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func flush() {
        var done = 0
        while done < buffer.count && !failed {
            let wrote = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if wrote < 0 && errno == EINTR { continue }
            if wrote <= 0 { failed = true } else { done += wrote }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered (the descriptor stays open for reading back).
    /// - Returns: whether every operation was written.
    mutating func finish() -> Bool {
        flush()
        return !failed
    }
}
