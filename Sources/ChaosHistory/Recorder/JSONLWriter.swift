import Foundation
import Synchronization

/// Appends Codable records to a JSONL file as they happen (events, samples, exits): each line is written at
/// once, so an interrupted run keeps every record it made.
public final class JSONLWriter<Record: Encodable & Sendable>: Sendable {
    private let handle: Mutex<FileHandle?>
    private let records = Mutex<[Record]>([])

    /// - Throws: when the file cannot be created.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = Mutex(file)
    }

    public func append(_ record: Record) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        records.withLock { $0.append(record) }
        handle.withLock { $0?.write(line) }
    }

    /// Everything appended so far.
    public var all: [Record] { records.withLock { $0 } }

    public func close() {
        handle.withLock { file in
            try? file?.synchronize()
            try? file?.close()
            file = nil
        }
    }
}
