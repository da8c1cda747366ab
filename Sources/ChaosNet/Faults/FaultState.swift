/// What the lab has changed in the kernel, so faults can be diffed, healed and torn down exactly.
struct FaultState: Sendable {
    /// Dropped links and the mechanism that enforces each (never `.auto`).
    var partitioned: [DirectedLink: PartitionMechanism] = [:]
    /// Shaped links and their standing spec (restored when a netem partition of the link heals).
    var shaped: [DirectedLink: NetemSpec] = [:]
    /// Nodes whose egress carries the htb tree (root qdisc, one class and u32 filter per peer).
    var shapers: Set<String> = []
    /// Whether the kernel has netem; nil until first needed.
    var netemAvailable: Bool?
}
