/// What a `membership` fault does to its targets: take them out of the cluster's configuration at injection,
/// and put the plan's original membership back at heal.
public struct MembershipSpec: Sendable, Hashable {
    public enum Change: String, Sendable, Hashable, CaseIterable {
        /// Remove each target (stopping it once its removal is committed); at heal restart and add it back.
        case remove
        /// Remove each target and bring a fresh node back in its place: an empty data directory, joining the
        /// existing cluster (etcd's `--initial-cluster-state existing`), caught up as a learner.
        case replace
        /// Add the cluster's spare nodes (`cluster.members` below `nodes`) as new members — learners that catch
        /// up, then voters — and at heal remove them again (stopping them): the plan's membership restored.
        case grow
    }

    /// What a removed target comes back with at heal.
    public enum DataPolicy: String, Sendable, Hashable, CaseIterable {
        /// Its old data directory: it rejoins with the log it had.
        case keep
        /// An empty data directory, as a new member would.
        case wipe
    }

    public var change: Change
    public var data: DataPolicy

    /// - Parameter data: ignored for `replace` and `grow`, which always bring in empty nodes.
    public init(change: Change = .remove, data: DataPolicy = .keep) {
        self.change = change
        self.data = change == .replace || change == .grow ? .wipe : data
    }

    /// A target comes back with an empty data directory.
    public var wipes: Bool { data == .wipe }
}
