import Foundation
import Testing
@testable import ChaosHistory

/// Reading a history file a chunk at a time gives exactly what reading it whole gives, whatever the chunk size
/// (lines split across reads, lines longer than a chunk), leaves out a last line cut short, and places errors.
@Suite struct JSONLFileReaderTests {
    static func history(_ count: Int) -> History {
        History((0..<count).map { i in
            ChaosHistory.Operation(index: i, time: Int64(i) * 1000, process: i % 5, type: i % 2 == 0 ? .invoke : .ok,
                                   f: "cas", key: .string("k\(i % 3)"),
                                   value: .vector([.int(Int64(i)), .int(Int64(i + 1))]),
                                   error: i % 7 == 0 ? "timeout: \"n1\" said\nno" : nil, node: "n\(i % 3)")
        })
    }

    static func write(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "jsonl-reader-\(getpid())-\(UUID().uuidString).jsonl"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [1, 7, 64, 1 << 20])
    func matchesTheWholeFileDecoder(chunk: Int) throws {
        let bytes = JSONLCodec.encode(Self.history(300)) + Array("\n\n".utf8)
        let path = try Self.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var read: [ChaosHistory.Operation] = []
        let pass = try JSONLFileReader.forEach(path: path, chunk: chunk) { read.append($0) }
        #expect(!pass.missing && !pass.cutLine)
        #expect(read == (try JSONLCodec.decode(bytes, file: path)).history.operations)
        #expect(read.count == 300)
    }

    @Test func leavesOutACutLastLine() throws {
        let whole = JSONLCodec.encode(Self.history(10))
        let path = try Self.write(Array(whole.dropLast(20)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var read: [ChaosHistory.Operation] = []
        let pass = try JSONLFileReader.forEach(path: path, chunk: 16) { read.append($0) }
        #expect(pass.cutLine)
        #expect(read == Array(Self.history(9).operations))
    }

    @Test func missingFileAndPlacedErrors() throws {
        #expect(try JSONLFileReader.forEach(path: "/nonexistent/history.jsonl") { _ in }.missing)
        var bytes = JSONLCodec.encode(Self.history(3))
        bytes += Array(#"{"index":3,"time":1,"process":1,"type":"sideways","f":"read","value":null}"#.utf8) + [0x0A]
        let path = try Self.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: HistoryError.self) { try JSONLFileReader.forEach(path: path, chunk: 8) { _ in } }
        do {
            _ = try JSONLFileReader.forEach(path: path, chunk: 8) { _ in }
        } catch {
            #expect(error.line == 4)
            #expect(error.description.contains("sideways"))
        }
    }
}
