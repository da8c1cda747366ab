/// How a dropped link is enforced.
public enum PartitionMechanism: String, Sendable, Hashable, CaseIterable {
    /// netem where the kernel has it, else unreachable routes.
    case auto
    /// 100% loss netem on the sender's class for the peer: packets vanish silently, senders time out.
    case netem
    /// An unreachable route for the peer in the sender's namespace: sends fail at once (EHOSTUNREACH)
    /// instead of timing out, which is coarser but needs no netem.
    case route
}
