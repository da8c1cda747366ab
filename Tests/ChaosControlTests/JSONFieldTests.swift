@testable import ChaosPlan
import Testing
@testable import ChaosControl

/// Reading the fields a custom adapter names: paths through objects and lists, booleans told from numbers,
/// base64, and the value for a field the answer leaves out.
@Suite struct JSONFieldTests {
    static let answer = HTTPResponse(status: 200, body: Array(#"""
        {"ok": true, "no": false, "one": 1, "big": "12345678901234", "kvs": [{"value": "aGk="}], "n": null}
        """#.utf8))

    @Test(arguments: [
        ("ok", "true"), ("no", "false"), ("one", "1"), ("big", "12345678901234"), ("kvs.0.value", "aGk="),
    ])
    func readsScalarsAsText(_ path: String, _ expected: String) {
        #expect(JSONField.read(FieldRead(path: FieldPath(path)), in: JSONField.root(of: Self.answer)) == expected)
    }

    @Test func decodesAndFillsMissingFields() {
        let root = JSONField.root(of: Self.answer)
        #expect(JSONField.read(FieldRead(path: FieldPath("kvs.0.value"), decode: .base64), in: root) == "hi")
        #expect(JSONField.read(FieldRead(path: FieldPath("kvs.1.value")), in: root) == nil)
        #expect(JSONField.read(FieldRead(path: FieldPath("succeeded"), missing: "false"), in: root) == "false")
        #expect(JSONField.read(FieldRead(path: FieldPath("n")), in: root) == nil)
    }

    @Test func matchesStatusClassesAndFieldValues() {
        let root = JSONField.root(of: Self.answer)
        let definite = ResponseMatch(status: .init(code: 200), field: FieldPath("ok"), equals: "true")
        #expect(JSONField.matches([definite], Self.answer, root: root))
        #expect(!JSONField.matches([ResponseMatch(status: .init(code: 200), field: FieldPath("ok"), equals: "1")],
                                   Self.answer, root: root))
        #expect(JSONField.matches([ResponseMatch(status: .init(code: 200, wholeClass: true))],
                                  HTTPResponse(status: 204, body: []), root: nil))
        #expect(!JSONField.matches([ResponseMatch(status: .init(code: 400, wholeClass: true))], Self.answer,
                                   root: root))
    }
}
