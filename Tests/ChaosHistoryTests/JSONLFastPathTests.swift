import Testing

@testable import ChaosHistory

/// The fast path of the JSONL reader gives exactly what the general reader gives, on every line it accepts, and
/// leaves every line it does not expect to the general reader.
@Suite struct JSONLFastPathTests {
    /// Both readers on one line: (fast, general); fast is nil when it left the line to the general reader.
    static func both(_ line: String) throws -> (fast: Operation?, general: Operation?) {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            var skipped = 0
            let general = try JSONLCodec.decodeLineGenerally(buffer, from: 0, to: buffer.count, line: 1, ordinal: 0,
                                                             skipped: &skipped, file: "t")?.0
            return (JSONLFastPath.operation(buffer, from: 0, to: buffer.count), general)
        }
    }

    @Test func recorderLinesTakeTheFastPathAndReadTheSame() throws {
        var rng: UInt64 = 42
        func next(_ bound: Int) -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((rng >> 33) % UInt64(bound))
        }
        let values: [Value] = [.null, .int(0), .int(-7), .int(Int64.max), .int(Int64.min), "", "k1", [1, 2], [.null, 3],
                               .double(2.5), .bool(true), "quote \" and \\", "é 漢字", .map(["a": 1])]
        let names = ["read", "write", "cas", "f with space", "esc\"aped"]
        var fastLines = 0
        for i in 0..<2_000 {
            let op = Operation(
                index: i, time: Int64(next(1 << 30)) - 1000, process: next(50) - 2,
                type: [OpType.invoke, .ok, .fail, .info][next(4)], f: names[next(names.count)],
                key: next(3) == 0 ? nil : values[next(values.count)], value: values[next(values.count)],
                error: next(3) == 0 ? "timeout" : nil, node: next(2) == 0 ? "n\(next(5))" : nil)
            var buffer: [UInt8] = []
            JSONLCodec.encode(op, into: &buffer)
            buffer.removeLast()  // the newline
            let (fast, general) = try Self.both(String(decoding: buffer, as: UTF8.self))
            #expect(general != nil)
            if let fast {
                fastLines += 1
                #expect(fast == general, "\(String(decoding: buffer, as: UTF8.self))")
            }
        }
        // Only escapes in names and error texts leave the fast path.
        #expect(fastLines > 1_500)
    }

    @Test func unexpectedLinesAreLeftToTheGeneralReader() throws {
        for line in [
            #"{"index": 0,"time":1,"process":0,"type":"ok","f":"read"}"#,  // a space
            #"{"index":0,"time":1.5,"process":0,"type":"ok","f":"read"}"#,  // a fractional time
            #"{"index":0,"time":1,"process":"nemesis","type":"info","f":"kill"}"#,  // not a client
            #"{"index":0,"time":1,"process":0,"type":"ok","f":"read","extra":1}"#,  // a field it does not know
            #"{"index":0,"time":1,"process":0,"type":"okay","f":"read"}"#,  // an unknown type
            #"{"time":1,"process":0,"type":"ok","f":"read"}"#,  // no index
            #"{"index":0,"time":99999999999999999999,"process":0,"type":"ok","f":"read"}"#,  // too large
            #"{"index":0,"time":01,"process":0,"type":"ok","f":"read"}"#,  // a leading zero
            #"{"index":0,"time":1,"process":0,"type":"ok","f":"read"} "#,  // trailing text
            #"{"index":0,"time":1,"process":0,"type":"ok","f":"r\u0065ad"}"#,  // an escape
        ] {
            let bytes = Array(line.utf8)
            let fast = bytes.withUnsafeBufferPointer { JSONLFastPath.operation($0, from: 0, to: $0.count) }
            #expect(fast == nil, "\(line)")
        }
        // The general reader still reads the ones that are valid.
        #expect(try Self.both(#"{"index": 0,"time":1,"process":0,"type":"ok","f":"read"}"#).general?.f == "read")
        #expect(try Self.both(#"{"index":0,"time":1,"process":0,"type":"ok","f":"r\u0065ad"}"#).general?.f == "read")
        #expect(try Self.both(#"{"index":0,"time":1,"process":"nemesis","type":"info","f":"kill"}"#).general == nil)
    }
}

/// One field of a node's answer read in place equals the same field of the whole object, for every shape of answer.
@Suite struct JSONObjectFieldTests {
    @Test(arguments: [
        #"{"ok":true,"index":12}"#, #"{"value":"17"}"#, #"{"error":"not leader","leader":"n2","leaderHttp":null}"#,
        #"{"ok": false, "index": 3}"#, #"{"value":"a \"quoted\" one"}"#, #"{"index":1.5}"#, #"{}"#, #"[1,2]"#,
        #"{"nested":{"ok":true},"ok":false}"#, #"{"ok":true,"ok":false}"#, "not json", "",
    ])
    func sameAsTheWholeObject(body: String) {
        let bytes = Array(body.utf8)
        for name: StaticString in ["ok", "index", "value", "error", "leader", "leaderHttp", "nested", "missing"] {
            #expect(JSONObject.field(name, in: bytes) == JSONObject.fields(bytes)?[name.description],
                    "\(name) in \(body)")
        }
    }
}
