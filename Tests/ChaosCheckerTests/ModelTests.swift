import ChaosHistory
import Testing

@testable import ChaosChecker

/// Small hand-made histories per model, each with the verdict Knossos or Porcupine would give.
@Suite("linearizability models")
struct ModelTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var model: ModelName
        var edn: String
        var expected: Verdict
        var description: String { "\(model): \(name)" }
    }

    static let cases: [Case] = [
        // cas-register (Knossos): initial 0, failed CAS did not happen, nil read unconstrained.
        Case(name: "sequential write then read", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 3} {:process 0 :type :ok :f :write :value 3}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 3}
            """, expected: .valid),
        Case(name: "initial value is 0", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value 0}
            """, expected: .valid),
        Case(name: "stale read after a completed write", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 0}
            """, expected: .invalid),
        Case(name: "concurrent write may be seen or not", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 0}
            {:process 2 :type :invoke :f :read} {:process 2 :type :ok :f :read :value 1}
            {:process 0 :type :ok :f :write :value 1}
            """, expected: .valid),
        Case(name: "reads go back in time", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 1}
            {:process 2 :type :invoke :f :read} {:process 2 :type :ok :f :read :value 0}
            {:process 0 :type :ok :f :write :value 1}
            """, expected: .invalid),
        Case(name: "failed CAS did not happen", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :cas :value [0 5]} {:process 0 :type :fail :f :cas :value [0 5]}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 0}
            """, expected: .valid),
        Case(name: "successful CAS from the wrong value", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :cas :value [2 5]} {:process 0 :type :ok :f :cas :value [2 5]}
            """, expected: .invalid),
        Case(name: "info write may take effect later", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 7} {:process 0 :type :info :f :write :value 7}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 0}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 7}
            """, expected: .valid),
        Case(name: "info write cannot be undone", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 7} {:process 0 :type :info :f :write :value 7}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 7}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 0}
            """, expected: .invalid),
        Case(name: "info CAS may never happen", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :cas :value [0 4]} {:process 0 :type :info :f :cas :value [0 4]}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value 0}
            """, expected: .valid),
        Case(name: "nil read is unconstrained", model: .casRegister, edn: """
            {:process 0 :type :invoke :f :write :value 2} {:process 0 :type :ok :f :write :value 2}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value nil}
            """, expected: .valid),
        Case(name: "nemesis ops are skipped", model: .casRegister, edn: """
            [{:process :nemesis :type :info :f :start :value nil}
             {:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value 0}]
            """, expected: .valid),
        // register: initial nil, no CAS.
        Case(name: "write and read", model: .register, edn: """
            {:process 0 :type :invoke :f :write :value "a"} {:process 0 :type :ok :f :write :value "a"}
            {:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value "a"}
            """, expected: .valid),
        Case(name: "read of a value never written", model: .register, edn: """
            {:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value "b"}
            """, expected: .invalid),
        // etcd-register (Porcupine): initial absent, nil read saw absent, failed CAS observed a mismatch.
        Case(name: "absent at first", model: .etcdRegister, edn: """
            {:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value nil}
            """, expected: .valid),
        Case(name: "nil read after a write is stale", model: .etcdRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value nil}
            """, expected: .invalid),
        Case(name: "failed CAS saw another value", model: .etcdRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
            {:process 1 :type :invoke :f :cas :value [2 3]} {:process 1 :type :fail :f :cas :value [2 3]}
            """, expected: .valid),
        Case(name: "failed CAS although the value matched", model: .etcdRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
            {:process 1 :type :invoke :f :cas :value [1 3]} {:process 1 :type :fail :f :cas :value [1 3]}
            """, expected: .invalid),
        Case(name: "failed read tells nothing", model: .etcdRegister, edn: """
            {:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
            {:process 1 :type :invoke :f :read} {:process 1 :type :fail :f :read :error :timed-out}
            """, expected: .valid),
        // multi-register: txns over registers initially 0.
        Case(name: "txn reads its own registers", model: .multiRegister, edn: """
            {:process 0 :type :invoke :f :txn :value [[:write :x 1] [:write :y 2]]}
            {:process 0 :type :ok :f :txn :value [[:write :x 1] [:write :y 2]]}
            {:process 1 :type :invoke :f :txn :value [[:read :x nil] [:read :y nil]]}
            {:process 1 :type :ok :f :txn :value [[:read :x 1] [:read :y 2]]}
            """, expected: .valid),
        Case(name: "torn txn read", model: .multiRegister, edn: """
            {:process 0 :type :invoke :f :txn :value [[:write :x 1] [:write :y 2]]}
            {:process 0 :type :ok :f :txn :value [[:write :x 1] [:write :y 2]]}
            {:process 1 :type :invoke :f :txn :value [[:read :x nil] [:read :y nil]]}
            {:process 1 :type :ok :f :txn :value [[:read :x 1] [:read :y 0]]}
            """, expected: .invalid),
        // kv: keys independent, initially "".
        Case(name: "append then get per key", model: .kv, edn: """
            {:process 0 :type :invoke :f :append :key "a" :value "x"} {:process 0 :type :ok :f :append :key "a" :value "x"}
            {:process 0 :type :invoke :f :append :key "a" :value "y"} {:process 0 :type :ok :f :append :key "a" :value "y"}
            {:process 1 :type :invoke :f :get :key "b" :value nil} {:process 1 :type :ok :f :get :key "b" :value ""}
            {:process 1 :type :invoke :f :get :key "a" :value nil} {:process 1 :type :ok :f :get :key "a" :value "xy"}
            """, expected: .valid),
        Case(name: "lost append", model: .kv, edn: """
            {:process 0 :type :invoke :f :put :key "a" :value "x"} {:process 0 :type :ok :f :put :key "a" :value "x"}
            {:process 0 :type :invoke :f :append :key "a" :value "y"} {:process 0 :type :ok :f :append :key "a" :value "y"}
            {:process 1 :type :invoke :f :get :key "a" :value nil} {:process 1 :type :ok :f :get :key "a" :value "x"}
            """, expected: .invalid),
        // append-log: indexes grow with the log, reads see the whole log.
        Case(name: "appends and a read", model: .appendLog, edn: """
            {:process 0 :type :invoke :f :append :value "a"} {:process 0 :type :ok :f :append :value 3}
            {:process 1 :type :invoke :f :append :value "b"} {:process 1 :type :ok :f :append :value 5}
            {:process 2 :type :invoke :f :read} {:process 2 :type :ok :f :read :value ["a" "b"]}
            """, expected: .valid),
        Case(name: "index order contradicts real time", model: .appendLog, edn: """
            {:process 0 :type :invoke :f :append :value "a"} {:process 0 :type :ok :f :append :value 5}
            {:process 1 :type :invoke :f :append :value "b"} {:process 1 :type :ok :f :append :value 3}
            """, expected: .invalid),
        Case(name: "read misses an acknowledged append", model: .appendLog, edn: """
            {:process 0 :type :invoke :f :append :value "a"} {:process 0 :type :ok :f :append :value 1}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value []}
            """, expected: .invalid),
        Case(name: "timed-out append shows up later", model: .appendLog, edn: """
            {:process 0 :type :invoke :f :append :value "a"} {:process 0 :type :info :f :append :error "timeout"}
            {:process 1 :type :invoke :f :append :value "b"} {:process 1 :type :ok :f :append :value 2}
            {:process 1 :type :invoke :f :read} {:process 1 :type :ok :f :read :value ["a" "b"]}
            """, expected: .valid),
    ]

    @Test("verdict", arguments: cases)
    func verdict(_ c: Case) throws {
        let document = try JepsenHistoryReader.read(Array(c.edn.utf8), file: c.name)
        let report = try Linearizability.check(document.history, model: c.model, timeLimit: .seconds(10))
        #expect(report.verdict == c.expected, "\(report.summary)")
        #expect((report.counterexample != nil) == (c.expected == .invalid))
    }

    @Test("the counterexample names the operation that cannot be placed")
    func counterexample() throws {
        let edn = """
            {:process 0 :type :invoke :f :write :value 1 :time 1000000000} {:process 0 :type :ok :f :write :value 1 :time 1100000000}
            {:process 1 :type :invoke :f :read :time 1200000000} {:process 1 :type :ok :f :read :value 0 :time 1300000000}
            """
        let history = try JepsenHistoryReader.read(Array(edn.utf8), file: "t").history
        let report = try Linearizability.check(history, model: .casRegister)
        let c = try #require(report.counterexample)
        #expect(c.prefix.map(\.f) == ["write"])
        #expect(c.state == "1")
        #expect(c.unplaced.map(\.position) == [2])
        #expect(c.unplaced.first?.description == "#2 p1 read 0 → ok  t 1.200000s–1.300000s")
    }

    @Test("an operation the model does not know is an error at that operation")
    func unknownOperation() throws {
        let edn = "{:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value 0}\n"
            + "{:process 0 :type :invoke :f :txn :value []}"
        let history = try JepsenHistoryReader.read(Array(edn.utf8), file: "t").history
        #expect(throws: CheckerError(operation: 2, "model cas-register has no operation 'txn' (it knows read, write and cas)")) {
            try Linearizability.check(history, model: .casRegister)
        }
        #expect(ModelName(rawValue: "no-such-model") == nil)
    }

    @Test("a process that invokes twice without completing is an error")
    func doubleInvoke() throws {
        let edn = "{:process 0 :type :invoke :f :read} {:process 0 :type :invoke :f :read}"
        let history = try JepsenHistoryReader.read(Array(edn.utf8), file: "t").history
        let error = try #require(throws: CheckerError.self) { try Linearizability.check(history, model: .register) }
        #expect(error.operation == 1)
    }
}
