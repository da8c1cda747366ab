import ChaosSupport
import Foundation
import Synchronization

/// Records a history as it happens: assigns dense indexes and times and streams the operations as JSONL to
/// `history.jsonl`, so an interrupted run still leaves what it saw.
///
/// `record` only encodes into a buffer under a lock; `flush` (called every 100 ms by the run) writes the
/// buffer out, so clients never wait on the disk. A recorder with a file keeps nothing else: its memory is the
/// unflushed buffer, whatever the length of the run, and the checkers read the history back from the file.
/// Only a recorder without a file keeps the operations, since they are nowhere else.
public final class HistoryRecorder: Sendable {
    private struct State {
        /// Kept only without a file.
        var operations: [Operation] = []
        var recorded = 0
        var pending: [UInt8] = []
        var counts = OpCounts()
    }

    private let start: ContinuousClock.Instant
    private let state = Mutex(State())
    private let file: FileHandle?
    private let path: String?
    /// Serialises writes; true once the file is closed.
    private let writeLock = Mutex(false)

    /// - Parameter path: where to stream JSONL; nil keeps the history in memory only.
    /// - Throws: when the file cannot be created.
    public init(path: String?, start: ContinuousClock.Instant = .now) throws {
        self.start = start
        self.path = path
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            file = FileHandle(forWritingAtPath: path)
        } else {
            file = nil
        }
    }

    /// Appends one event, stamped with the next index and the time since `start`.
    @discardableResult
    public func record(
        process: Int, type: OpType, f: String, key: Value? = nil, value: Value = .null, error: String? = nil,
        node: String? = nil
    ) -> Operation {
        state.withLock { state in
            let elapsed = ContinuousClock.now - start
            let nanos = elapsed.nanoseconds
            let op = Operation(index: state.recorded, time: nanos, process: process, type: type, f: f,
                               key: key, value: value, error: error, node: node)
            state.recorded += 1
            if file == nil { state.operations.append(op) }
            state.counts.add(type)
            JSONLCodec.encode(op, into: &state.pending)
            return op
        }
    }

    /// Writes what was recorded since the last flush.
    public func flush() {
        writeLock.withLock { closed in
            // Swap the buffer out rather than copy it, so recording goes on into a fresh one while this is written.
            var bytes: [UInt8] = []
            state.withLock { state in swap(&bytes, &state.pending) }
            guard let file, !closed, !bytes.isEmpty else { return }
            bytes.withUnsafeBytes { file.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0.baseAddress!),
                                                    count: $0.count, deallocator: .none)) }
        }
    }

    /// Flushes and closes the file; recording after this is lost. Closing twice is harmless.
    public func close() {
        flush()
        writeLock.withLock { closed in
            guard !closed else { return }
            closed = true
            try? file?.synchronize()
            try? file?.close()
        }
    }

    /// Closes the file and returns the whole history: the operations kept in memory, or, for a recorder with a
    /// file, the file read back (empty if it cannot be read).
    public func finish() -> History {
        close()
        guard let path else { return History(state.withLock { $0.operations }) }
        return (try? HistoryReader.read(path: path, format: .jsonl).history) ?? History()
    }

    /// How many events have been recorded so far.
    public var count: Int { state.withLock { $0.recorded } }

    /// Bytes the recorder holds on to: the unflushed buffer and any operations kept in memory. With a file and a
    /// regular `flush`, this stays flat however long the run (`RecorderMemoryTests`).
    public var retainedBytes: Int {
        state.withLock { $0.pending.capacity + $0.operations.capacity * MemoryLayout<Operation>.stride }
    }

    /// Invocations and completions so far, for progress lines.
    public var counts: OpCounts { state.withLock { $0.counts } }
}

/// How many events of each type a history holds.
public struct OpCounts: Sendable, Hashable, Codable {
    public var invoke = 0
    public var ok = 0
    public var fail = 0
    public var info = 0

    public init() {}

    public init(_ history: History) {
        for op in history.operations { add(op.type) }
    }

    public mutating func add(_ type: OpType) {
        switch type {
        case .invoke: invoke += 1
        case .ok: ok += 1
        case .fail: fail += 1
        case .info: info += 1
        }
    }
}
