import ChaosControl
import ChaosPlan

/// Turns a plan's target (`leader`, `follower`, `minority`...) into node ids, from the cluster's live status at
/// the moment of injection, with the run's random stream for every choice.
struct TargetResolver {
    let cluster: Cluster

    /// - Parameters:
    ///   - busy: nodes already under a fault; they are not chosen again until healed.
    /// - Returns: the chosen nodes, or an explanation of why none fits.
    /// - Parameter pool: the nodes to pick from (the members now, or the spares for a grow); nil = every node.
    func resolve(_ target: TargetSpec, busy: Set<String>, pool: [String]? = nil, using rng: inout SeededGenerator)
        async -> Result<[String], NemesisError>
    {
        let all = pool ?? cluster.ids
        let free = all.filter { !busy.contains($0) }
        let n = all.count
        func pick(_ count: Int, from candidates: [String]) -> Result<[String], NemesisError> {
            guard candidates.count >= count, count > 0 else {
                return .failure(.noTarget(target, "needs \(count) free node(s), \(candidates.count) available"))
            }
            return .success(Array(candidates.shuffled(using: &rng).prefix(count)).sorted())
        }
        switch target {
        case .node(let id):
            return busy.contains(id) ? .failure(.noTarget(target, "\(id) is already under a fault")) : .success([id])
        case .all:
            return pick(free.count, from: free)
        case .random:
            return pick(1, from: free)
        case .minority:
            return pick((n - 1) / 2, from: free)
        case .majority:
            return pick(n / 2 + 1, from: free)
        case .leader, .follower, .followers:
            guard let leader = await cluster.leader() else {
                return .failure(.noTarget(target, "no node answers as leader right now"))
            }
            let followers = free.filter { $0 != leader }
            switch target {
            case .leader:
                return busy.contains(leader)
                    ? .failure(.noTarget(target, "the leader \(leader) is already under a fault")) : .success([leader])
            case .follower: return pick(1, from: followers)
            default: return pick(followers.count, from: followers)
            }
        }
    }
}

/// Why the nemesis could not do what the plan asked at some moment; recorded as an `error` event.
public enum NemesisError: Error, Sendable, CustomStringConvertible {
    case noTarget(TargetSpec, String)
    case injectFailed(String)

    public var description: String {
        switch self {
        case .noTarget(let target, let why): "no node for target '\(target)': \(why)"
        case .injectFailed(let why): why
        }
    }
}
