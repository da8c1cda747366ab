import Testing

@testable import ChaosHistory

/// The readers accept what Jepsen and Porcupine write and point at what they cannot read.
@Suite("history readers")
struct ReaderTests {
    static func read(_ text: String, _ format: HistoryFormat = .auto) throws(HistoryError) -> HistoryDocument {
        try HistoryReader.read(Array(text.utf8), format: format, file: "h")
    }

    @Test("EDN forms", arguments: [
        ("{:f :read :v 1}", Value.map([.keyword("f"): .keyword("read"), .keyword("v"): 1])),
        ("[1 -2 +3 4N 1.5 -2e3 1/2 1.5M]", [1, -2, 3, 4, .double(1.5), .double(-2000), .double(0.5), .double(1.5)]),
        ("(nil true false sym)", [nil, true, false, "sym"]),
        (#""a\tb\"c\u00e9""#, "a\tb\"cé"),
        ("#{1 2}", .set([1, 2])),
        (#"#inst "2024-01-01T00:00:00Z""#, "2024-01-01T00:00:00Z"),
        (#"#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6""#, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
        (#"[\a \newline \space \u0041]"#, ["a", "\n", " ", "A"]),
        ("[1 #_ 2 3] ; comment", [1, 3]),
        ("[##Inf ##-Inf]", [.double(.infinity), .double(-.infinity)]),
        ("[:n1 #{:n2}]", [.keyword("n1"), .set([.keyword("n2")])]),
    ] as [(String, Value)])
    func ednForm(_ text: String, _ expected: Value) throws {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var parser = EDNParser(buffer)
            #expect((try? parser.readForm()) == expected)
        }
    }

    @Test("history shapes: vector, list, bare sequence, with comments and nemesis ops", arguments: [
        "[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :read, :value 3}]",
        "({:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value 3})",
        "; header\n{:process 0 :type :invoke :f :read}\n{:process :nemesis :type :info :f :start}\n"
            + "{:process 0 :type :ok :f :read :value 3} ; trailing",
    ])
    func shapes(_ text: String) throws {
        let document = try Self.read(text)
        #expect(document.history.operations.map(\.type) == [.invoke, .ok])
        #expect(document.history.operations.last?.value == 3)
    }

    @Test("located errors", arguments: [
        ("[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok :f :read :value}]", 2, 2, "odd number"),
        ("[{:process 0 :type :invoke :f :read}", 1, 1, "unclosed '['"),
        ("{:process 0 :type :invoke}", 1, 1, "no :f"),
        ("{:process 0 :type :done :f :read}", 1, 1, "unknown :type ':done'"),
        ("\n\n  {:process 0 :type :invoke :f :read :value \"abc}", 3, 45, "unterminated string"),
        ("{:type :invoke :f :read}", 1, 1, "no :process"),
        ("[1 2 ]]", 1, 2, "found a number"),
        ("{:process 0 :type :invoke :f :read :value [1 2}", 1, 47, "found '}' where ']' should close the '['"),
        (#"{"process":0,"type":"invoke","f":"read","value":[1,}"#, 1, 52, "unexpected character"),
        (#"{"process":0,"type":"invoke","f":"read"}"# + "\n" + #"{"process":0,"type":"ok""#, 2, 1, "unclosed '{'"),
        ("INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:okay\t:read\t3", 2, 23, "unknown operation type"),
        ("INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2", 1, 36, "unclosed '['"),
    ] as [(String, Int, Int, String)])
    func errors(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        do {
            _ = try Self.read(text)
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.line == line && error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
            #expect(error.description.hasPrefix("h:\(line):\(column): "))
        }
    }

    @Test("Porcupine etcd log")
    func etcdLog() throws {
        let text = """
            INFO  jepsen.util - 0	:invoke	:read	nil
            some other line
            INFO  jepsen.util - 0	:ok	:read	nil
            INFO  jepsen.util - 2   :invoke :cas    [3 0]
            INFO  jepsen.util - 2	:fail	:cas	[3 0]
            INFO  jepsen.util - 4	:info	:write	:timed-out
            """
        let document = try Self.read(text)
        let ops = document.history.operations
        #expect(ops.map(\.type) == [.invoke, .ok, .invoke, .fail, .info])
        #expect(ops[2].value == [3, 0])
        #expect(ops[4].error == "timed-out" && ops[4].value == nil)
        #expect(document.locations[1] == SourceLocation(line: 3, column: 21))
    }

    @Test("missing file is a located error")
    func missingFile() {
        #expect(throws: HistoryError(file: "/nonexistent/h.edn", line: 1, column: 1,
                                     message: "no such file (check the path and permissions)")) {
            try HistoryReader.read(path: "/nonexistent/h.edn")
        }
    }
}
