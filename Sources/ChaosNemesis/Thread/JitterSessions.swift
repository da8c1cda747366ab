import ChaosControl
import ChaosPlan
import Dispatch

/// Starts and stops the per-node sessions of one `jitter` fault, off the cooperative thread pool (they touch
/// /proc and wait for their threads).
enum JitterSessions {
    /// - Throws: `NemesisError` naming the node; sessions already started are stopped first.
    static func start(_ jitter: SchedulingJitter, on nodes: [String], in cluster: Cluster, seed: UInt64)
        async throws(NemesisError) -> [JitterSession]
    {
        let result: Result<[JitterSession], NemesisError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var sessions: [JitterSession] = []
                var generator = SeededGenerator(seed: seed)
                for node in nodes {
                    let started = Result { () throws(NemesisError) -> JitterSession in
                        try JitterSession.start(jitter, node: node, seed: generator.next()) { cluster.pid(of: node) }
                    }
                    switch started {
                    case .success(let session):
                        sessions.append(session)
                    case .failure(let error):
                        for session in sessions { _ = session.stop() }
                        continuation.resume(returning: .failure(error))
                        return
                    }
                }
                continuation.resume(returning: .success(sessions))
            }
        }
        return try result.get()
    }

    /// Stops every session. - Returns: their counts, for the heal event.
    static func stop(_ sessions: [JitterSession]) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: sessions.map { $0.stop() }.joined(separator: " | "))
            }
        }
    }
}
