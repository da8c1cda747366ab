import ChaosControl
import ChaosPlan

/// A plan with `disk: cached` is refused before anything starts (exit 4) where FUSE mounts do not work, with
/// what the probe found and the remedy; a refused mount mid-start would only say "the cluster did not come up".
enum DiskRequirement {
    /// - Parameter probe: a real FUSE mount in a throw-away child; asked only for plans that need the layer.
    /// - Throws: `RunError.environment`.
    static func check(_ plan: Plan, probe: @autoclosure () -> String? = FuseProbe.failure(userNamespace: false))
        throws(RunError) {
        guard plan.cluster.disk == .cached else { return }
        guard let failure = probe() else { return }
        throw .environment("'disk: cached' needs FUSE mounts, which this machine refuses (\(failure)); "
                           + DiskLayer.remedy)
    }
}
