import Foundation
import Testing

@testable import ChaosHistory

/// `log.jsonl` read in place gives what JSONDecoder gives, line numbers included; lines it does not expect still go
/// through JSONDecoder, and a bad line is still named with what it lacks.
@Suite struct CommittedLogReadingTests {
    static let values: [String?] = [nil, "", "17", "k1", "quote \" and \\", "é 漢字", "line\nbreak"]

    @Test func followerLinesReadTheSameWithAndWithoutJSONDecoder() throws {
        var rng: UInt64 = 7
        func next(_ bound: Int) -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((rng >> 33) % UInt64(bound))
        }
        let ops: [CommittedEntry.Op] = [.put, .cas, .other, .missing]
        var entries: [CommittedEntry] = []
        var bytes: [UInt8] = []
        for i in 0..<3_000 {
            let entry = CommittedEntry(
                index: Int64(i) - 5, term: Int64(next(9)), node: "n\(next(5))", op: ops[next(4)],
                key: Self.values[next(Self.values.count)], value: Self.values[next(Self.values.count)],
                expected: Self.values[next(Self.values.count)], through: next(3) == 0 ? Int64(i + 10) : nil)
            entries.append(entry)
            entry.appendJSONLine(to: &bytes)
            if i % 500 == 0 { bytes.append(0x0A) }  // a blank line now and then
        }
        let lines = try CommittedLog.parse(Data(bytes), file: "log.jsonl")
        #expect(lines.map(\.entry) == entries)
        // Line numbers count the blank lines too, as before.
        #expect(lines[1].line == 3 && lines.last!.line == 3_000 + 6)
        var fast = 0
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let utf8 = Array(line.utf8)
            guard let entry = utf8.withUnsafeBufferPointer({ CommittedLog.fastEntry($0) }) else { continue }
            fast += 1
            #expect(entry == (try JSONDecoder().decode(CommittedEntry.self, from: Data(utf8))))
        }
        #expect(fast > 1_000)
    }

    @Test func badLinesAreStillNamed() {
        let text = "{\"index\":1,\"term\":1,\"node\":\"n1\",\"op\":\"other\"}\n"
            + "{\"index\":2,\"node\":\"n1\",\"op\":\"put\"}\n"
        #expect {
            _ = try CommittedLog.parse(Data(text.utf8), file: "log.jsonl")
        } throws: { error in
            let message = "\(error)"
            return message.contains("log.jsonl:2") && message.contains("missing 'term'")
        }
    }
}
