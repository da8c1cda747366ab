import ChaosSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DurationUnitsTests {
    @Test func conversions() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(2500).milliseconds == 2)
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.nanoseconds(-7).nanoseconds == -7)
    }

    @Test func nanosecondsSaturate() {
        #expect(Duration.seconds(Int64.max / 2).nanoseconds == .max)
        #expect(Duration.seconds(Int64.min / 2).nanoseconds == .min)
    }
}

@Suite struct QuotedStringTests {
    static let samples = ["plain", "quote \" and \\ backslash", "lines\nand\ttabs\r", "\u{01}\u{1F}\u{7F}\u{85}",
                          "\u{FEFF}bom", "sep\u{2028}\u{2029}", "ünïcødé ✓", ""]

    @Test(arguments: samples) func jsonReadsBackTheSameText(text: String) throws {
        let literal = QuotedString.literal(text)
        let decoded = try JSONDecoder().decode(String.self, from: Data(literal.utf8))
        #expect(decoded == text)
        #expect(!literal.dropFirst().dropLast().unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" })
    }
}

@Suite struct ExecutableSearchTests {
    @Test func findsAShell() throws {
        let sh = try #require(ExecutableSearch.onPath("sh", path: "/nonexistent:/usr/bin:/bin"))
        #expect(sh.hasPrefix("/") && sh.hasSuffix("/sh"))
        #expect(ExecutableSearch.onPath("no-such-program-\(getpid())") == nil)
        #expect(ExecutableSearch.find("passwd", in: ["/etc"]) == nil, "not executable, so not a program")
    }
}

@Suite struct SystemCallTests {
    @Test func errnoBecomesTheCallersError() {
        struct Failed: Error, Equatable { let code: Int32 }
        #expect(throws: Failed(code: ENOENT)) {
            try retryingInterrupts({ open("/nonexistent/\(getpid())", O_RDONLY) }, orThrow: Failed.init(code:))
        }
        #expect(throws: SystemCallFailure(errno: EBADF)) { try retryingInterrupts { close(-1) } }
        #expect((try? retryingInterrupts { getpid() }) == getpid())
    }
}
