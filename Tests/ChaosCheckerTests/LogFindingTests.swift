import ChaosHistory
import Foundation
import Testing

@testable import ChaosChecker

/// A log that is malformed, contradicts itself or the history gives a located finding or error, never a crash.
@Suite("log findings")
struct LogFindingTests {
    /// p0 writes 1 (ok), p1 writes 2 (info), p2 reads 1.
    static let history: History = {
        var h = History([
            Operation(time: 10, process: 0, type: .invoke, f: "write", key: "k", value: 1),
            Operation(time: 20, process: 1, type: .invoke, f: "write", key: "k", value: 2),
            Operation(time: 30, process: 0, type: .ok, f: "write", key: "k", value: 1),
            Operation(time: 40, process: 1, type: .info, f: "write", key: "k", value: 2),
            Operation(time: 50, process: 2, type: .invoke, f: "read", key: "k"),
            Operation(time: 60, process: 2, type: .ok, f: "read", key: "k", value: 1),
        ])
        h.reindex()
        return h
    }()

    static func lines(_ text: String) throws -> [CommittedLog.Line] {
        try CommittedLog.parse(Data(text.utf8), file: "log.jsonl")
    }

    static func check(_ log: String) throws -> LinearizabilityReport {
        try Linearizability.check(history, model: .register, registersStartAbsent: true, log: try lines(log))
    }

    @Test("a malformed line is an error naming the file, the line and what is wrong")
    func malformed() {
        let text = """
            {"index":1,"term":1,"node":"n1","op":"put","key":"k","value":"1"}
            {"index":2,"term":1,"node":"n1","op":"frobnicate"}
            """
        #expect {
            try Self.lines(text)
        } throws: { error in
            let e = error as! HistoryError
            return e.line == 2 && e.description.hasPrefix("log.jsonl:2:1:") && e.message.contains("'op'")
        }
        #expect(throws: HistoryError.self) { try Self.lines("{\"index\":1}\n") }
        #expect(throws: HistoryError.self) { try Self.lines("not json\n") }
    }

    @Test("replicas that disagree on a committed index: a finding at the line of the second reading")
    func contradiction() throws {
        let report = try Self.check("""
            {"index":1,"term":1,"node":"n1","op":"put","key":"k","value":"1"}
            {"index":1,"term":1,"node":"n2","op":"put","key":"k","value":"2"}
            """)
        #expect(report.verdict == .invalid)
        let finding = try #require(report.log?.findings.first { $0.kind == .replicasDisagree })
        #expect(finding.line == 2)
        #expect(finding.message.contains("n1") && finding.message.contains("n2"))
        // A contradicted key resolves nothing.
        #expect(report.log?.resolved == 0)
    }

    @Test("a committed value no client wrote is a finding at its line")
    func unknownValue() throws {
        let report = try Self.check("""
            {"index":1,"term":1,"node":"n1","op":"put","key":"k","value":"1"}
            {"index":2,"term":1,"node":"n1","op":"put","key":"k","value":"7"}
            {"index":3,"term":1,"node":"n1","op":"put","key":"other","value":"8"}
            """)
        #expect(report.verdict == .invalid)
        let unknown = report.log?.findings.filter { $0.kind == .unknownValue } ?? []
        #expect(unknown.map(\.line) == [2, 3])
    }

    @Test("an acknowledged write missing from a complete log is lost; with a hole the log cannot say")
    func lostWrite() throws {
        let report = try Self.check("""
            {"index":1,"term":1,"node":"n1","op":"other"}
            """)
        #expect(report.log?.findings.contains { $0.kind == .lostWrite && $0.operation == 0 } == true)
        #expect(report.log?.findings.contains { $0.kind == .uncommittedRead && $0.operation == 4 } == true)
        #expect(report.log?.neverTookEffect == 1)
        let holed = try Self.check("""
            {"index":1,"term":0,"node":"follower","op":"missing","through":4}
            {"index":5,"term":1,"node":"n1","op":"other"}
            """)
        #expect(holed.log?.complete == false)
        #expect(holed.log?.findings.isEmpty == true)
        #expect(holed.log?.resolved == 0)
        #expect(holed.verdict == .valid)
    }

    @Test("an indeterminate write the log committed must be placed, in log order")
    func orderedIndeterminate() throws {
        // The log puts the info write 2 after 1: the read of 1 at t=60 then cannot be explained unless 2 comes
        // after it, which is allowed; but a log that commits 2 *before* 1 makes the read of 1 the last value,
        // also fine. Reading 2 after a log 2-then-1 is not.
        let valid = try Self.check("""
            {"index":1,"term":1,"node":"n1","op":"put","key":"k","value":"1"}
            {"index":2,"term":1,"node":"n2","op":"put","key":"k","value":"2"}
            """)
        #expect(valid.verdict == .valid)
        #expect(valid.log?.tookEffect == 1)
        var history = Self.history
        history.operations[5].value = 2
        let reordered = try Linearizability.check(history, model: .register, registersStartAbsent: true,
                                                  log: try Self.lines("""
            {"index":1,"term":1,"node":"n1","op":"put","key":"k","value":"2"}
            {"index":2,"term":1,"node":"n1","op":"put","key":"k","value":"1"}
            """))
        #expect(reordered.verdict == .invalid)
        #expect(reordered.counterexample != nil)
        #expect(reordered.log?.findings.isEmpty == true)
        // Without the log the same history is linearizable (2 lands after 1, before the read).
        #expect(try Linearizability.check(history, model: .register, registersStartAbsent: true).verdict == .valid)
    }
}
