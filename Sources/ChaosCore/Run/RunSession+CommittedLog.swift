import ChaosControl

extension RunSession {
    /// A follower of the committed log into `log.jsonl` when the plan checks linearizability and the system can
    /// say what its entries hold; nil otherwise.
    func committedLogFollower(_ cluster: Cluster) -> LogFollower? {
        guard run.plan.checks.linearizable != nil, let source = cluster.system as? any CommittedLogSource,
              source.servesEntryContents else {
            return nil
        }
        return try? LogFollower(cluster: cluster, source: source, path: run.store.path(.committedLog))
    }
}
