/// The replicator-thread side of the leader (`RaftConfig.replicatorThreads`): new entries reach a follower only
/// once its replicator thread has announced them, as in braft; resends and pipelines stop at that mark.
extension RaftCore {
    /// The highest index that may be sent to `peer` now.
    func replicationLimit(_ peer: String) -> UInt64 {
        guard config.replicatorThreads else { return log.lastIndex }
        return min(announced[peer] ?? 0, log.lastIndex)
    }

    /// `peer`'s replicator thread was woken: everything in the log so far may go to it.
    /// - Returns: the last index announced.
    public mutating func announce(to peer: String) -> UInt64 {
        guard role == .leader, progress[peer] != nil else { return log.lastIndex }
        announced[peer] = log.lastIndex
        sendAppends(to: peer)
        return log.lastIndex
    }
}
