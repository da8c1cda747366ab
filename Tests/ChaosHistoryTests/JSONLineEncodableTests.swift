import Foundation
import Testing

@testable import ChaosHistory

/// `log.jsonl` and `samples.jsonl` lines written by hand read back as the records they came from, and are byte
/// for byte what `JSONEncoder` with sorted keys wrote before (for text without characters that need escaping).
@Suite("hand-written JSONL lines")
struct JSONLineEncodableTests {
    static let entries = [
        CommittedEntry(index: 1, term: 1, node: "n1", op: .other),
        CommittedEntry(index: 12, term: 3, node: "n2", op: .put, key: "k1", value: "17"),
        CommittedEntry(index: 13, term: 3, node: "n3", op: .cas, key: "k/2", value: "18", expected: "17"),
        CommittedEntry(index: 40, term: 0, node: "follower", op: .missing, through: 77),
        CommittedEntry(index: 41, term: 9, node: "n1", op: .put, key: "quote \" back\\slash", value: "tab\tnew\nline é 🙂"),
    ]

    @Test("each line decodes to its entry; plain ones equal JSONEncoder's bytes")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for entry in Self.entries {
            var bytes: [UInt8] = []
            entry.appendJSONLine(to: &bytes)
            #expect(bytes.last == UInt8(ascii: "\n"))
            let decoded = try JSONDecoder().decode(CommittedEntry.self, from: Data(bytes.dropLast()))
            #expect(decoded == entry)
            if entry.index != 41 {
                #expect(Array(try encoder.encode(entry)) + [UInt8(ascii: "\n")] == bytes,
                        "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test("samples: every field present, none, and an error; equal to JSONEncoder's bytes and decoded back")
    func samples() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let samples = [
            Sample(time: 100_000_000, node: "n1", answered: true, role: "leader", term: 4, leader: "n1",
                   commitIndex: 900, appliedIndex: 899, lastIndex: 901, snapshotIndex: 500, pid: 4242,
                   rssBytes: 12_345_678, openFDs: 31, threads: 12),
            Sample(time: 0, node: "n2", answered: false),
            Sample(time: -5, node: "n3", answered: false, error: "timeout", pid: 7),
        ]
        for sample in samples {
            var bytes: [UInt8] = []
            sample.appendJSONLine(to: &bytes)
            #expect(Array(try encoder.encode(sample)) + [UInt8(ascii: "\n")] == bytes,
                    "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try JSONDecoder().decode(Sample.self, from: Data(bytes.dropLast())) == sample)
        }
    }
}
