import ChaosSupport
import Foundation
import Synchronization

/// Records a history as it happens: assigns dense indexes and times, keeps the operations in memory for the
/// checkers, and streams them as JSONL to `history.jsonl` so an interrupted run still leaves what it saw.
///
/// `record` only encodes into a buffer under a lock; `flush` (called every 100 ms by the run) writes the
/// buffer out, so clients never wait on the disk.
public final class HistoryRecorder: Sendable {
    private struct State {
        var operations: [Operation] = []
        var pending: [UInt8] = []
        var counts = OpCounts()
    }

    private let start: ContinuousClock.Instant
    private let state = Mutex(State())
    private let file: FileHandle?
    private let writeLock = Mutex(())

    /// - Parameter path: where to stream JSONL; nil keeps the history in memory only.
    /// - Throws: when the file cannot be created.
    public init(path: String?, start: ContinuousClock.Instant = .now) throws {
        self.start = start
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
            let op = Operation(index: state.operations.count, time: nanos, process: process, type: type, f: f,
                               key: key, value: value, error: error, node: node)
            state.operations.append(op)
            state.counts.add(type)
            JSONLCodec.encode(op, into: &state.pending)
            return op
        }
    }

    /// Writes what was recorded since the last flush.
    public func flush() {
        writeLock.withLock { _ in
            // Swap the buffer out rather than copy it, so recording goes on into a fresh one while this is written.
            var bytes: [UInt8] = []
            state.withLock { state in swap(&bytes, &state.pending) }
            guard let file, !bytes.isEmpty else { return }
            bytes.withUnsafeBytes { file.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0.baseAddress!),
                                                    count: $0.count, deallocator: .none)) }
        }
    }

    /// Flushes, closes the file and returns the whole history.
    public func finish() -> History {
        flush()
        try? file?.synchronize()
        try? file?.close()
        return History(state.withLock { $0.operations })
    }

    /// How many events have been recorded so far.
    public var count: Int { state.withLock { $0.operations.count } }

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
