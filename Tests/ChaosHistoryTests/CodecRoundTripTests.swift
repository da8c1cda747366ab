import Testing

@testable import ChaosHistory

/// Writing a history and reading it back gives the same operations, in both native formats.
@Suite("codec round trips")
struct CodecRoundTripTests {
    /// A chaos-style history touching every field and value shape JSON can carry.
    static let history: History = {
        var h = History([
            Operation(time: 0, process: 0, type: .invoke, f: "cas", key: "k1", value: [1, 2]),
            Operation(time: 12_345, process: 0, type: .ok, f: "cas", key: "k1", value: [1, 2], node: "n2"),
            Operation(time: 20_000, process: 3, type: .invoke, f: "write", key: .int(7), value: "quote \" and \\ and\nnewline"),
            Operation(time: 30_000, process: 3, type: .info, f: "write", key: .int(7), value: "é ü 漢字 🎉",
                      error: "timeout", node: "n1"),
            Operation(time: 40_000, process: 4, type: .invoke, f: "read", value: nil),
            Operation(time: 50_000, process: 4, type: .fail, f: "read", value: .double(-1.5e-7), error: "not-leader"),
            Operation(time: 60_000, process: 5, type: .invoke, f: "append", value: .bool(true)),
            Operation(time: -70_000, process: -5, type: .ok, f: "append",
                      value: .map([.string("a"): .vector([.null, .bool(false), .int(Int64.min)]), .string("b"): .double(3)])),
            Operation(time: Int64.max, process: Int.max, type: .ok, f: "txn", value: [[.keyword("read"), .keyword("x"), 1]]),
        ])
        h.reindex()
        return h
    }()

    @Test("JSONL encode then decode")
    func jsonl() throws {
        let bytes = JSONLCodec.encode(Self.history)
        let back = try JSONLCodec.decode(bytes, file: "t.jsonl").history
        // JSON has no keywords: they come back as strings.
        var expected = Self.history
        expected.operations[8].value = [["read", "x", 1]]
        #expect(back == expected)
        #expect(HistoryFormat.sniff(bytes) == .jsonl)
    }

    @Test("JSONL line shape")
    func jsonlLine() {
        var buffer: [UInt8] = []
        JSONLCodec.encode(Self.history.operations[1], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self)
            == #"{"index":1,"time":12345,"process":0,"type":"ok","f":"cas","key":"k1","value":[1,2],"node":"n2"}"# + "\n")
    }

    @Test("EDN write then read")
    func edn() throws {
        let text = EDNWriter.history(Self.history)
        let back = try JepsenHistoryReader.read(Array(text.utf8), file: "t.edn").history
        #expect(back == Self.history)
        #expect(HistoryFormat.sniff(Array(text.utf8)) == .edn)
    }

    @Test("EDN values round trip", arguments: [
        Value.null, .bool(true), .int(-42), .double(0.1), .double(1e300), .double(.infinity), .string("a\"b"),
        .keyword("ns/name"), .vector([1, "x", .keyword("k")]), .set([1, 2, 3]), .map([.keyword("a"): [1]]),
        .string("tab\tand\u{01}control"),
    ])
    func ednValue(_ value: Value) throws {
        var bytes = Array(EDNWriter.text(value).utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = EDNParser(UnsafeBufferPointer(buffer))
            #expect((try? parser.readForm()) == value, "\(EDNWriter.text(value))")
        }
    }
}
