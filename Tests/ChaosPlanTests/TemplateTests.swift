import Testing
@testable import ChaosPlan

/// Adapter templates: slots are words in braces, every other brace is literal, filters transform the value.
@Suite struct TemplateTests {
    static let values = ["key": "a b/c", "from": "say \"hi\"", "to": "é", "id": "n1", "peer.ip": "10.0.0.2"]

    @Test(arguments: [
        ("/kv/{key|url}", "/kv/a%20b%2Fc"),
        (#"{"from": {from|json}, "to": {to|json}}"#, #"{"from": "say \"hi\"", "to": "é"}"#),
        (#"{"key": "{key|base64}"}"#, #"{"key": "YSBiL2M="}"#),
        ("{id}={peer.ip}", "n1=10.0.0.2"),
        ("{} { id} {id|} {1x} {{id}}", "{} { id} {id|} {1x} {n1}"),
        ("no slots", "no slots"),
    ])
    func expands(_ text: String, _ expected: String) {
        let (template, problems) = Template.parse(text, allowed: Array(Self.values.keys))
        #expect(problems.isEmpty)
        #expect(template.expand(Self.values) == expected)
        #expect(template.description == text)
    }

    @Test func reportsEachUnknownSlotAndFilterAtItsOffset() {
        let (_, problems) = Template.parse("a{kye}b{key|jsno}", allowed: ["key"])
        #expect(problems.map(\.offset) == [1, 7])
        #expect(problems.map(\.problem) == [
            "unknown placeholder '{kye}' (did you mean 'key'?)",
            "unknown filter 'jsno' in '{key|jsno}' (did you mean 'json'?)",
        ])
    }
}
