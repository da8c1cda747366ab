import ChaosNet
import ChaosPlan

/// Without root, a plan that wants the lab network (`network: namespaces` or `auto`) runs in a user namespace
/// where the kernel allows one: chaos re-executes itself there (`UserNamespace.rerun`) and the re-executed
/// chaos, uid 0 inside, does the whole run, lab included. Where user namespaces are refused, nothing happens
/// here and `NetworkChoice.resolve` falls back to loopback or refuses the plan (exit 4) as without them.
enum RootlessLab {
    /// Re-runs chaos in a user namespace when it should.
    /// - Returns: the re-executed run's exit code, or nil to carry on in this process.
    static func rerunIfNeeded(_ plan: Plan, log: (String) -> Void) -> ExitCode? {
        guard plan.cluster.network != .loopback, !UserNamespace.isInside, !Capabilities.privileged,
              UserNamespace.attempt() == nil else { return nil }
        log("not root: running the lab inside a user namespace")
        do {
            let status = try UserNamespace.rerun(arguments: CommandLine.arguments)
            return ExitCode(rawValue: status) ?? .internalError
        } catch {
            Console.status("chaos: \(error)")
            return .environment
        }
    }
}
