@testable import ChaosPlan

/// Plans wrong inside a section: `cluster`, `workload`, `nemesis` steps and `checks`.
extension MalformedPlanTests {
    static let sectionCases: [MalformedPlan] = [
        MalformedPlan(
            "nodes words",
            "name: x\nduration: 3s\ncluster: { nodes: three }\n",
            [
                "3:19: 'nodes' must be a whole number, got 'three'",
            ]),
        MalformedPlan(
            "nodes zero",
            "name: x\nduration: 3s\ncluster:\n  nodes: 0\n",
            [
                "4:10: 'nodes' must be between 1 and 9, got '0'",
            ]),
        MalformedPlan(
            "nodes too many",
            "name: x\nduration: 3s\ncluster:\n  nodes: 12\n",
            [
                "4:10: 'nodes' must be between 1 and 9, got '12'",
            ]),
        MalformedPlan(
            "unknown system",
            "name: x\nduration: 3s\ncluster: { system: raft-nod }\n",
            [
                "3:20: unknown system 'raft-nod' (did you mean 'raft-node'?)",
            ]),
        MalformedPlan(
            "custom without binary",
            "name: x\nduration: 3s\ncluster: { system: custom }\n",
            [
                "3:20: system 'custom' needs 'binary' (the path of the node program)",
                "3:20: system 'custom' needs 'adapter' (a file relative to the plan, or an inline mapping;"
                    + " see docs/adapters.md)",
            ]),
        MalformedPlan(
            "etcd with the append workload",
            "name: x\nduration: 3s\ncluster: { system: etcd }\nworkload: { kind: append }\n",
            [
                "4:19: workload 'append' needs a replicated-log API, which etcd lacks; use register or cas-register"
                    + " with system 'etcd'",
            ]),
        MalformedPlan(
            "etcd with bug modes",
            "name: x\nduration: 3s\ncluster: { system: etcd, bugs: [lost-wakeup] }\n",
            [
                "3:32: 'bugs' are raft-node's test-only bug modes; etcd has none, remove 'bugs'",
            ]),
        MalformedPlan(
            "etcd election timeout under five heartbeats",
            "name: x\nduration: 3s\ncluster: { system: etcd, election_timeout: 300ms }\n",
            [
                "3:44: etcd needs 'election_timeout' (300ms) to be at least 5 times 'heartbeat' (100ms)",
            ]),
        MalformedPlan(
            "heartbeat too long",
            "name: x\nduration: 3s\ncluster: { election_timeout: 150ms, heartbeat: 200ms }\n",
            [
                "3:48: 'heartbeat' must be shorter than 'election_timeout' (150ms), got '200ms'",
            ]),
        MalformedPlan(
            "cluster not mapping",
            "name: x\nduration: 3s\ncluster: raft-node\n",
            [
                "3:10: 'cluster' must be a mapping of keys (system, nodes, binary...), got 'raft-node'",
            ]),
        MalformedPlan(
            "args not list",
            "name: x\nduration: 3s\ncluster: { args: --fast }\n",
            [
                "3:18: 'args' must be a list, got '--fast'",
            ]),
        MalformedPlan(
            "unknown cluster key",
            "name: x\nduration: 3s\ncluster: { sytem: etcd }\n",
            [
                "3:12: unknown key 'sytem' in 'cluster' (did you mean 'system'?)",
            ]),
        MalformedPlan(
            "clients zero",
            "name: x\nduration: 3s\nworkload: { clients: 0 }\n",
            [
                "3:22: 'clients' must be at least 1, got '0'",
            ]),
        MalformedPlan(
            "keys negative",
            "name: x\nduration: 3s\nworkload: { keys: -4 }\n",
            [
                "3:19: 'keys' must be at least 1, got '-4'",
            ]),
        MalformedPlan(
            "unknown workload kind",
            "name: x\nduration: 3s\nworkload: { kind: cas-regster }\n",
            [
                "3:19: unknown workload kind 'cas-regster' (did you mean 'cas-register'?)",
            ]),
        MalformedPlan(
            "unknown workload binding",
            "name: x\nduration: 3s\nworkload: { bind: nodes }\n",
            [
                "3:19: unknown workload binding 'nodes' (did you mean 'node'?)",
            ]),
        MalformedPlan(
            "bad rate",
            "name: x\nduration: 3s\nworkload: { rate: fast }\n",
            [
                "3:19: 'rate' must be a rate such as 500/s or 1000/m, or 'unlimited', got 'fast'",
            ]),
        MalformedPlan(
            "zero rate",
            "name: x\nduration: 3s\nworkload: { rate: 0/s }\n",
            [
                "3:19: 'rate' must be more than 0/s (or 'unlimited'), got '0/s'",
            ]),
        MalformedPlan(
            "unknown fault",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 8s, fault: kil, target: leader }\n",
            [
                "4:22: unknown fault 'kil' (did you mean 'kill'?)",
            ]),
        MalformedPlan(
            "unknown fault far",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 8s, fault: explode, target: leader }\n",
            [
                "4:22: unknown fault 'explode' (expected one of: kill, stop, pause, partition, netem, rate, "
                    + "pause-thread, jitter, power-failure, disk-error, disk-latency, membership)",
            ]),
        MalformedPlan(
            "unknown target node",
            "name: x\nduration: 30s\ncluster: { nodes: 3 }\nnemesis:\n  - { at: 8s, fault: kill, target: n7 }\n",
            [
                "5:36: unknown target 'n7' (the cluster has nodes n1 to n3)",
            ]),
        MalformedPlan(
            "misspelt target",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 8s, fault: kill, target: leadr }\n",
            [
                "4:36: unknown target 'leadr' (did you mean 'leader'?)",
            ]),
        MalformedPlan(
            "at beyond duration",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 35s, fault: kill, target: leader }\n",
            [
                "4:11: 'at' must be before the end of the run (duration 30s), got '35s'",
            ]),
        MalformedPlan(
            "at and every",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 5s, every: 5s, faults: [kill], target: leader }\n",
            [
                "4:15: a step cannot have both 'at' and 'every'; use 'at' for one fault or 'every' for a repeated one",
            ]),
        MalformedPlan(
            "neither at nor every",
            "name: x\nduration: 30s\nnemesis:\n  - { fault: kill, target: leader }\n",
            [
                "4:5: a step needs 'at' (one fault at a time) or 'every' (a fault repeated at a period)",
            ]),
        MalformedPlan(
            "faults on at step",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 5s, faults: [kill], target: leader }\n",
            [
                "4:15: an 'at' step takes one 'fault', not 'faults' (write 'fault: kill')",
            ]),
        MalformedPlan(
            "fault on every step",
            "name: x\nduration: 30s\nnemesis:\n  - { every: 5s, fault: kill, target: leader }\n",
            [
                "4:18: an 'every' step takes a list 'faults', not 'fault' (write 'faults: [kill]')",
            ]),
        MalformedPlan(
            "fault and faults",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 5s, fault: kill, faults: [kill], target: leader }\n",
            [
                "4:28: a step cannot have both 'fault' and 'faults'; an 'at' step takes "
                + "'fault: kill', an 'every' step 'faults: [kill, pause]'",
            ]),
        MalformedPlan(
            "missing target and fault",
            "name: x\nduration: 30s\nnemesis:\n  - at: 5s\n",
            [
                "4:5: a step needs 'fault' (one of: kill, stop, pause, partition, netem, rate, pause-thread, jitter, "
                    + "power-failure, disk-error, disk-latency, membership)",
                "4:5: missing required key 'target'",
            ]),
        MalformedPlan(
            "empty faults",
            "name: x\nduration: 30s\nnemesis:\n  - { every: 5s, faults: [], target: random }\n",
            [
                "4:26: 'faults' must name at least one fault",
            ]),
        MalformedPlan(
            "from on at step",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 5s, from: 1s, fault: kill, target: leader }\n",
            [
                "4:15: 'from' applies only to 'every' steps; this step has 'at'",
            ]),
        MalformedPlan(
            "until before from",
            "name: x\nduration: 30s\nnemesis:\n  - { every: 5s, from: 20s, until: 10s, faults: [kill], target: all }\n",
            [
                "4:36: 'until' must be later than 'from' (20s), got '10s'",
            ]),
        MalformedPlan(
            "for zero",
            "name: x\nduration: 30s\nnemesis:\n  - { at: 5s, fault: pause, target: leader, for: 0s }\n",
            [
                "4:50: 'for' must be longer than 0s, got '0s'",
            ]),
        MalformedPlan(
            "nemesis not list",
            "name: x\nduration: 30s\nnemesis: { at: 5s }\n",
            [
                "3:10: 'nemesis' must be a list of steps, got a mapping",
            ]),
        MalformedPlan(
            "unknown checker",
            "name: x\nduration: 3s\nchecks: { stats: {}, linearisable: {} }\n",
            [
                "3:22: unknown checker 'linearisable' (did you mean 'linearizable'?)",
            ]),
        MalformedPlan(
            "bad percentage",
            "name: x\nduration: 3s\nchecks: { stats: { min_availability: 0.9 } }\n",
            [
                "3:38: 'min_availability' must be a percentage such as 90%, got '0.9'",
            ]),
        MalformedPlan(
            "percentage over 100",
            "name: x\nduration: 3s\nchecks: { stats: { min_availability: 150% } }\n",
            [
                "3:38: 'min_availability' must be at most 100%, got '150%'",
            ]),
        MalformedPlan(
            "bad regex",
            "name: x\nduration: 3s\nchecks:\n  crash:\n    patterns: [\"ok\", \"(unclosed\"]\n",
            [
                "5:22: 'patterns' has an invalid regular expression '(unclosed'",
            ]),
        MalformedPlan(
            "unknown model",
            "name: x\nduration: 3s\nchecks: { linearizable: { model: cas } }\n",
            [
                "3:34: unknown model 'cas' (expected one of: register, cas-register, append-log)",
            ]),
        MalformedPlan(
            "list entry not a string",
            "name: x\nduration: 3s\ncluster: { bugs: [slow-apply, { x: 1 }] }\n",
            [
                "3:31: each entry of 'bugs' must be a string, got a mapping",
            ]),
        MalformedPlan(
            "every step out of the run",
            "name: x\nduration: 30s\nnemesis:\n"
                + "  - { every: 5s, from: 30s, until: 40s, faults: [kill, explode], target: n0 }\n",
            [
                "4:24: 'from' must be before the end of the run (duration 30s), got '30s'",
                "4:36: 'until' must not be past the end of the run (duration 30s), got '40s'",
                "4:56: unknown fault 'explode' (expected one of: kill, stop, pause, partition, netem, rate, "
                    + "pause-thread, jitter, power-failure, disk-error, disk-latency, membership)",
                "4:74: unknown target 'n0' (the cluster has nodes n1 to n3)",
            ]),
        MalformedPlan(
            "target empty in a small cluster",
            "name: x\nduration: 30s\ncluster: { nodes: 2 }\nnemesis:\n  - { at: 1s, fault: kill, target: minority }\n"
                + "  - { at: 2s, fault: kill, target: follower }\n",
            [
                "5:36: target 'minority' names no node in a 2-node cluster",
            ]),
    ]
}
