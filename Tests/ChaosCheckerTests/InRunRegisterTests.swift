import ChaosChecker
import ChaosHistory
import Testing

/// chaos's own histories: registers start absent, so a read of nil after an acknowledged write is a lost write.
@Suite struct InRunRegisterTests {
    static func history(readBack: Value) -> History {
        var history = History([
            Operation(time: 0, process: 0, type: .invoke, f: "write", key: "k1", value: 5),
            Operation(time: 10, process: 0, type: .ok, f: "write", key: "k1", value: 5),
            Operation(time: 20, process: 1, type: .invoke, f: "read", key: "k1"),
            Operation(time: 30, process: 1, type: .ok, f: "read", key: "k1", value: readBack),
        ])
        history.reindex()
        return history
    }

    static let cases: [(ModelName, Value, Bool, Verdict)] = [
        (.casRegister, .null, true, .invalid),   // the acknowledged write was lost
        (.casRegister, .null, false, .valid),    // Knossos: a nil read matches anything
        (.casRegister, 5, true, .valid),
        (.register, .null, true, .invalid),
        (.register, 5, true, .valid),
    ]

    @Test(arguments: cases)
    func lostWriteReadBackAsNil(_ c: (ModelName, Value, Bool, Verdict)) async {
        let checker = LinearizabilityChecker(model: c.0, timeLimit: .seconds(10), registersStartAbsent: c.2)
        let result = await checker.check(CheckInput(history: Self.history(readBack: c.1)))
        #expect(result.verdict == c.3, "\(c)")
    }

    @Test func aReadOfNilBeforeAnyWriteIsValid() async {
        var history = History([
            Operation(time: 0, process: 1, type: .invoke, f: "read", key: "k1"),
            Operation(time: 5, process: 1, type: .ok, f: "read", key: "k1", value: nil),
            Operation(time: 10, process: 0, type: .invoke, f: "cas", key: "k1", value: [1, 2]),
            Operation(time: 20, process: 0, type: .fail, f: "cas", key: "k1", value: [1, 2], error: "mismatch"),
        ])
        history.reindex()
        let checker = LinearizabilityChecker(model: .casRegister, timeLimit: .seconds(10), registersStartAbsent: true)
        #expect(await checker.check(CheckInput(history: history)).verdict == .valid)
    }
}
