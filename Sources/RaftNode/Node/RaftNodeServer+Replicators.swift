import NIOCore

/// Replicator threads (`--replicator-threads`, and always with the `lost-wakeup` bug): one per follower,
/// woken through `LogWaitTable` when the leader's log grows.
extension RaftNodeServer {
    func startReplicators() {
        guard core.config.replicatorThreads else { return }
        let racy = config.bugs.contains(.lostWakeup)
        for peer in config.peers.map(\.id) {
            let r = Replicator(peer: peer, table: waits, racy: racy) { [weak self] in
                guard let self else { throw ChannelError.ioOnClosedChannel }
                return try self.coreLoop.submit {
                    let announced = self.core.announce(to: peer)
                    self.flush()
                    return announced
                }.wait()
            }
            replicators.append(r)
            r.start()
        }
    }

    func stopReplicators() {
        for r in replicators { r.stop() }
        waits.wakeAll()
    }

    /// The appender's first step, in `flush` on the core loop: publishes the leader's new last index.
    /// - Returns: the index published before, whose waiters `wakeReplicators` must release; nil if none.
    func publishAppends() -> UInt64? {
        guard !replicators.isEmpty, core.role == .leader else { return nil }
        return waits.publish(core.lastIndex)
    }

    /// The appender's second step, once the batch is handed to the writer and the transport.
    func wakeReplicators(after previous: UInt64?) {
        if let previous { waits.wake(after: previous) }
    }
}
