import Foundation
import Synchronization

/// Appends Codable records to a JSONL file as they happen (events, samples, exits): each line is written at
/// once, so an interrupted run keeps every record it made. The records are not kept in memory unless asked
/// (`retain`): a run's samples grow with its length, and the checkers read them back from the file.
public final class JSONLWriter<Record: Encodable & Sendable>: Sendable {
    private let handle: Mutex<FileHandle?>
    private let records = Mutex<[Record]>([])
    private let retain: Bool
    private let encoder: JSONEncoder

    /// - Parameter retain: keep every record in memory too, for `all`.
    /// - Throws: when the file cannot be created.
    public init(path: String, retain: Bool = false) throws {
        self.retain = retain
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = Mutex(file)
    }

    public func append(_ record: Record) {
        if retain { records.withLock { $0.append(record) } }
        // One encoder for the writer's life (making one per record was most of a sample's cost), used under the
        // file's lock since an encoder is not meant to be shared between threads.
        handle.withLock { file in
            guard let file else { return }
            if let own = record as? any JSONLineEncodable {
                var bytes: [UInt8] = []
                own.appendJSONLine(to: &bytes)
                file.write(Data(bytes))
                return
            }
            guard var line = try? encoder.encode(record) else { return }
            line.append(UInt8(ascii: "\n"))
            file.write(line)
        }
    }

    /// Everything appended so far (empty unless the writer was made with `retain`).
    public var all: [Record] { records.withLock { $0 } }

    public func close() {
        handle.withLock { file in
            try? file?.synchronize()
            try? file?.close()
            file = nil
        }
    }
}
