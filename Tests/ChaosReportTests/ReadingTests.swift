import ChaosHistory
import Foundation
import Testing

@testable import ChaosReport

/// The fast line readers give exactly what the general decoders give.
@Suite("run file readers")
struct ReadingTests {
    static let awkward = ["timeout", "say \"hi\"\\now", "naïve ✓ \u{1F600}", "tab\there\nline", ""]

    @Test("samples read fast equal samples decoded by JSONDecoder")
    func samples() throws {
        var samples = SyntheticRun.samples(seconds: 3)
        for (i, text) in Self.awkward.enumerated() {
            samples.append(Sample(time: Int64(9_000_000_000 + i), node: "n\(i)", answered: false, error: text))
        }
        samples.append(Sample(time: -5, node: "n1", answered: true, term: Int64.max, snapshotIndex: 7))
        let bytes = [UInt8](try SyntheticRun.lines(samples))
        #expect(try SampleLines.read(bytes, path: "s.jsonl") == samples)
        // Unknown fields (a newer chaos) and nested values are skipped.
        let newer = #"{"time":1,"extra":{"a":[1,{"b":"}"}]},"node":"n1","answered":true,"zone":"x","commitIndex":3}"#
        #expect(try SampleLines.read(Array(newer.utf8), path: "s.jsonl")
            == [Sample(time: 1, node: "n1", answered: true, commitIndex: 3)])
    }

    @Test("history events read fast match JSONLCodec", arguments: [false, true])
    func history(withAwkwardValues: Bool) throws {
        var history = SyntheticRun.history(seconds: 2)
        if withAwkwardValues {
            for (i, text) in Self.awkward.enumerated() {
                history.operations[i].value = .map([.string("time"): .string(text), .keyword("type"): .vector([1, 2])])
                history.operations[i].error = text
            }
        }
        let bytes = JSONLCodec.encode(history)
        let decoded = try JSONLCodec.decode(bytes, file: "h.jsonl").history
        #expect(try OpEvent.read(bytes, path: "h.jsonl") == OpEvent.events(of: decoded))
    }

    @Test("history events scanned from the file a chunk at a time equal those read whole", arguments: [97, 4096])
    func historyScannedInChunks(chunk: Int) throws {
        let history = SyntheticRun.history(seconds: 2)
        let bytes = JSONLCodec.encode(history)
        let path = NSTemporaryDirectory() + "chunks-\(UUID().uuidString).jsonl"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var scanned: [OpEvent] = []
        try OpEvent.scan(path: path, chunk: chunk) { scanned.append($0) }
        #expect(scanned.count > 100)
        #expect(scanned == (try OpEvent.read(bytes, path: path)))
        // A bad line far into the file is named with its line in the file, not in its chunk.
        var damaged = bytes
        let third = damaged.indices.filter { damaged[$0] == 0x0A }[99] + 1
        damaged.insert(contentsOf: Array("{\"time\":1,\"process\":1,\"type\":\"odd\"}\n".utf8), at: third)
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        #expect(throws: ReportError.self) { try OpEvent.scan(path: path, chunk: chunk) { _ in } }
        do {
            try OpEvent.scan(path: path, chunk: chunk) { _ in }
        } catch {
            #expect(error.path.hasPrefix("\(path):101:"))
        }
    }

    @Test("a bad line is named with its line and column", arguments: [
        (#"{"time":1,"node":"n1","answered":true}"# + "\n" + #"{"time":2,"node":"n1" "answered":true}"# + "\n{}\n",
         "s.jsonl:2:23: expected '}'"),
        ("{\"time\":1}\n{}\n", "s.jsonl:1:1: not a Sample record"),
        ("[1]\n{}\n", "s.jsonl:1:1: expected '{'"),
    ])
    func badLine(text: String, message: String) {
        let error = #expect(throws: ReportError.self) { try SampleLines.read(Array(text.utf8), path: "s.jsonl") }
        #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "")")
    }
}
