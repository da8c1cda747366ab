import ChaosHistory
import Foundation
import Testing

/// The recorder's memory does not grow with the run: with a file, it holds only what was recorded since the
/// last flush, and the whole history is read back from the file at the end.
@Suite("recorder memory")
struct RecorderMemoryTests {
    @Test func retainedBytesStayFlatOverALongSyntheticRun() throws {
        let path = NSTemporaryDirectory() + "chaos-recorder-\(UUID().uuidString.prefix(8)).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try HistoryRecorder(path: path)
        // 200,000 events flushed every 2,000: a run of ~7 minutes at 500 ops/s, flushed every 4 s instead of 100 ms.
        let total = 200_000, every = 2_000
        var retained: [Int] = []
        for i in 0..<total {
            recorder.record(process: i % 16, type: i % 2 == 0 ? .invoke : .ok, f: "cas", key: .string("k\(i % 8)"),
                            value: .vector([.int(Int64(i % 5)), .int(Int64(i % 7))]), node: "n\(i % 3 + 1)")
            if (i + 1) % every == 0 {
                retained.append(recorder.retainedBytes)
                recorder.flush()
            }
        }
        let early = retained.prefix(10).max()!, late = retained.suffix(10).max()!
        // 2,000 events of ~100 bytes are ~0.2 MB of buffer; a history kept in memory would reach ~20 MB.
        #expect(late <= 2 * early, "retained bytes grew from \(early) to \(late)")
        #expect(late < 2_000_000, "retained \(late) bytes")
        #expect(recorder.count == total)

        let history = recorder.finish()
        #expect(history.count == total)
        #expect(history.operations.last?.index == total - 1)
        #expect(history.operations[12345].f == "cas")
    }

    @Test func aRecorderWithoutAFileKeepsTheHistory() throws {
        let recorder = try HistoryRecorder(path: nil)
        for i in 0..<1000 { recorder.record(process: i, type: .invoke, f: "read") }
        #expect(recorder.finish().count == 1000)
        #expect(recorder.retainedBytes >= 1000 * MemoryLayout<ChaosHistory.Operation>.stride)
    }
}
