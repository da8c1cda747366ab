import ChaosHistory
import Foundation
import Testing
@testable import ChaosControl

/// The client path's JSON without Foundation: request bodies read back by `JSONSerialization` as the same
/// strings (escapes included), and response fields read as `JSONSerialization` reads them.
@Suite struct JSONBodyTests {
    @Test(arguments: ["3", "", "a\"b\\c", "line\nbreak\ttab\r", "\u{1}\u{1f}", "ünï©ødé ✓"])
    func bodyReadsBackAsTheSameStrings(_ value: String) throws {
        let body = JSONBody.object(["from": value, "to": "x"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
        #expect(object == ["from": value, "to": "x"])
        #expect(String(decoding: JSONBody.object(["from": "1", "to": "2"]), as: UTF8.self)
                == #"{"from":"1","to":"2"}"#)
    }

    @Test func responseFields() {
        let text = #" {"ok": true, "value": "4\"2", "index": 17, "n": null} "#
        let answer = HTTPResponse(status: 200, body: Array(text.utf8))
        #expect(answer.fields?["ok"] == .bool(true))
        #expect(answer.fields?["value"]?.stringValue == "4\"2")
        #expect(answer.fields?["index"]?.intValue == 17)
        #expect(answer.fields?["n"] == .null)
        #expect(answer.fields?["missing"] == nil)
        #expect(HTTPResponse(status: 500, body: Array("not json".utf8)).fields == nil)
        #expect(HTTPResponse(status: 200, body: Array("[1,2]".utf8)).fields == nil)
        #expect(HTTPResponse(status: 200, body: Array(#"{"a":1} trailing"#.utf8)).fields == nil)
    }
}
