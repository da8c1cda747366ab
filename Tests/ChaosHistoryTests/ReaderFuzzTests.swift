import Foundation
import Testing

@testable import ChaosHistory

/// Mutated corpus files never crash or hang a reader, and every failure is a located `HistoryError`.
@Suite("reader fuzzing", .timeLimit(.minutes(3)))
struct ReaderFuzzTests {
    static let corpus = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "../shared/corpus").standardized

    /// A few seeds of each format: EDN (vector and bare maps), etcd log, and JSONL made from EDN.
    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let files = ["knossos/cas-register/bad/cas-failure.edn", "knossos/cas-register/good/memstress3-3.edn",
                     "knossos/multi-register/good/multi-register.edn", "porcupine/kv/c01-bad.txt",
                     "porcupine/etcd/etcd_000.log", "porcupine/etcd/etcd_040.log"]
        var seeds: [(String, [UInt8])] = []
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: corpus.appending(path: file)))
            seeds.append((file, Array(bytes.prefix(6000))))
        }
        let edn = try HistoryReader.read(path: corpus.appending(path: files[2]).path)
        seeds.append(("multi-register.jsonl", JSONLCodec.encode(edn.history)))
        return seeds
    }

    /// xorshift64*: deterministic, so a failure reproduces.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 2_685_821_657_736_338_717) % UInt64(max(bound, 1)))
        }
    }

    static let interesting: [[UInt8]] = ["[", "]", "{", "}", "(", ")", "\"", "\\", ":", "#", "#_", "#{", ";", "\n",
        " ", "nil", "-", "1/0", "9999999999999999999999", "\\u12", ":invoke", ":process", "\u{0}", "\u{FF}", "{\""]
        .map { Array($0.utf8) }

    static func mutate(_ bytes: [UInt8], _ rng: inout Random) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + rng.next(4)) {
            let at = rng.next(out.count + 1)
            switch rng.next(5) {
            case 0 where !out.isEmpty: out.remove(at: min(at, out.count - 1))
            case 1: out.insert(contentsOf: interesting[rng.next(interesting.count)], at: at)
            case 2 where !out.isEmpty: out[min(at, out.count - 1)] = UInt8(truncatingIfNeeded: rng.next(256))
            case 3: out = Array(out.prefix(at))
            default:
                let from = rng.next(out.count + 1)
                let length = min(rng.next(200), out.count - from)
                out.insert(contentsOf: out[from..<(from + length)], at: at)
            }
        }
        return out
    }

    @Test("1,200 mutated files")
    func fuzz() throws {
        let seeds = try Self.seeds()
        var rng = Random(state: 0x9E37_79B9_7F4A_7C15)
        var failures = 0
        for round in 0..<1200 {
            let seed = seeds[round % seeds.count]
            let bytes = Self.mutate(seed.bytes, &rng)
            let lines = bytes.count { $0 == 0x0A } + 1
            for format in [HistoryFormat.auto, .edn, .jsonl, .etcdLog] where format == .auto || round % 4 == 0 {
                do {
                    _ = try HistoryReader.read(bytes, format: format, file: seed.name)
                } catch {
                    failures += 1
                    #expect(error.line >= 1 && error.line <= lines, "\(error)")
                    #expect(error.column >= 1, "\(error)")
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(failures > 200, "the mutations should break many files")
    }

    @Test("deep nesting is refused, not a stack overflow")
    func deepNesting() {
        let bytes = Array(String(repeating: "[", count: 100_000).utf8)
        #expect(throws: HistoryError.self) { try HistoryReader.read(bytes, format: .edn, file: "deep") }
        let json = Array(("{\"a\":" + String(repeating: "[", count: 100_000)).utf8)
        #expect(throws: HistoryError.self) { try HistoryReader.read(json, format: .jsonl, file: "deep") }
    }
}
