@testable import ChaosPlan

/// Plans wrong as a whole: YAML syntax, the top-level keys and their values.
extension MalformedPlanTests {
    static let documentCases: [MalformedPlan] = [
        MalformedPlan(
            "empty",
            "",
            [
                "1:1: the plan is empty; it needs at least 'name' and 'duration'",
            ]),
        MalformedPlan(
            "comment only",
            "# nothing here\n",
            [
                "1:1: the plan is empty; it needs at least 'name' and 'duration'",
            ]),
        MalformedPlan(
            "top-level list",
            "- name: x\n- duration: 3s\n",
            [
                "1:1: the plan must be a mapping of keys (name, duration, cluster...), got a list",
            ]),
        MalformedPlan(
            "top-level scalar",
            "just words\n",
            [
                "1:1: the plan must be a mapping of keys (name, duration, cluster...), got 'just words'",
            ]),
        MalformedPlan(
            "yaml syntax",
            "name: x\nduration: [3s\n",
            [
                "3:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)",
            ]),
        MalformedPlan(
            "tab indent",
            "name: x\ncluster:\n\tnodes: 3\nduration: 3s\n",
            [
                "3:1: invalid YAML: a tab character here; YAML indents with spaces only",
            ]),
        MalformedPlan(
            "two documents",
            "name: x\nduration: 3s\n---\nname: y\n",
            [
                "3:1: a plan is one YAML document; remove this '---' and what follows it",
            ]),
        MalformedPlan(
            "missing name and duration",
            "seed: 1\n",
            [
                "1:1: missing required key 'name'",
                "1:1: missing required key 'duration'",
            ]),
        MalformedPlan(
            "bad name",
            "name: My Plan\nduration: 3s\n",
            [
                "1:7: 'name' may use only lowercase letters, digits, '.', '_' and '-' "
                + "(it names the run directory), got 'My Plan'",
            ]),
        MalformedPlan(
            "unknown top-level key",
            "name: x\nduration: 3s\nnemsis: []\n",
            [
                "3:1: unknown key 'nemsis' (did you mean 'nemesis'?)",
            ]),
        MalformedPlan(
            "unknown key no suggestion",
            "name: x\nduration: 3s\nfoo: 1\n",
            [
                "3:1: unknown key 'foo' (expected one of: name, seed, duration, "
                + "cluster, workload, nemesis, checks, sample_interval)",
            ]),
        MalformedPlan(
            "duplicate top key",
            "name: x\nduration: 3s\nname: y\n",
            [
                "3:1: duplicate key 'name' (first given at 1:1)",
            ]),
        MalformedPlan(
            "duration without unit",
            "name: x\nduration: 30\n",
            [
                "2:11: 'duration' needs a unit, got '30' (write '30s' for seconds)",
            ]),
        MalformedPlan(
            "duration garbage",
            "name: x\nduration: soon\n",
            [
                "2:11: 'duration' must be a duration such as 250ms, 2s, 1m or 1h, got 'soon'",
            ]),
        MalformedPlan(
            "duration zero",
            "name: x\nduration: 0s\n",
            [
                "2:11: 'duration' must be longer than 0s, got '0s'",
            ]),
        MalformedPlan(
            "duration negative",
            "name: x\nduration: -5s\n",
            [
                "2:11: 'duration' must not be negative, got '-5s'",
            ]),
        MalformedPlan(
            "seed not a number",
            "name: x\nseed: abc\nduration: 3s\n",
            [
                "2:7: 'seed' must be a whole number from 0 to 18446744073709551615, got 'abc'",
            ]),
        MalformedPlan(
            "seed negative",
            "name: x\nseed: -1\nduration: 3s\n",
            [
                "2:7: 'seed' must be a whole number from 0 to 18446744073709551615, got '-1'",
            ]),
        MalformedPlan(
            "no value",
            "name: x\nduration:\n",
            [
                "2:1: 'duration' has no value",
            ]),
        MalformedPlan(
            "many problems",
            "name: Bad Name\nduration: 30\ncluster: { system: raft-nod, nodes: three }\nworkload: { clients: 0 }\n"
                + "nemesis:\n  - { at: 8s, fault: partiton, target: n7 }\n",
            [
                "1:7: 'name' may use only lowercase letters, digits, '.', '_' and '-' "
                + "(it names the run directory), got 'Bad Name'",
                "2:11: 'duration' needs a unit, got '30' (write '30s' for seconds)",
                "3:20: unknown system 'raft-nod' (did you mean 'raft-node'?)",
                "3:37: 'nodes' must be a whole number, got 'three'",
                "4:22: 'clients' must be at least 1, got '0'",
                "6:22: unknown fault 'partiton' (did you mean 'partition'?)",
            ]),
        MalformedPlan(
            "duplicate step keys",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 8s, at: 9s, fault: kill, target: leader }\n"
                + "  - at: 1s\n    fault: kill\n    target: n1\n    fault: pause\n",
            [
                "4:15: duplicate key 'at' (first given at 4:7)",
                "8:5: duplicate key 'fault' (first given at 6:5)",
            ]),
        MalformedPlan(
            "control character",
            "name: \"bad\u{1}\"\nduration: 3s\n",
            [
                "1:11: invalid YAML: control characters are not allowed",
            ]),
        MalformedPlan(
            "key not a word",
            "name: x\nduration: 3s\n[a, b]: 1\n",
            [
                "3:1: a key must be a plain word, got a list",
            ]),
        MalformedPlan(
            "empty section",
            "name: x\nduration: 3s\ncluster:\nworkload: {}\n",
            [
                "3:1: 'cluster' is empty; give its keys (system, nodes, binary...) or remove it",
            ]),
        MalformedPlan(
            "colon in a plain value",
            "name: x: y\nduration: 3s\n",
            [
                "1:8: invalid YAML: mapping values are not allowed in this context; "
                + "quote a value that contains ': ', or check the indentation",
            ]),
        MalformedPlan(
            "over-indented key",
            "name: x\nduration: 3s\ncluster:\n  nodes: 3\n   system: etcd\n",
            [
                "5:10: invalid YAML: mapping values are not allowed in this context; "
                + "quote a value that contains ': ', or check the indentation",
            ]),
        MalformedPlan(
            "stray bracket",
            "name: x\nduration: 3s\n]\n",
            [
                "3:1: invalid YAML: did not find expected key (while parsing a block mapping at line 1); "
                + "check the indentation",
            ]),
        MalformedPlan(
            "zero interval and fractional seed",
            "name: x\nduration: 3s\nsample_interval: 0ms\nseed: 1.5\n",
            [
                "3:18: 'sample_interval' must be longer than 0s, got '0ms'",
                "4:7: 'seed' must be a whole number from 0 to 18446744073709551615, got '1.5'",
            ]),
    ]
}
