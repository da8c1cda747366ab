import CChaosFuse
import CChaosSys

#if canImport(Glibc)
import Glibc
#endif

/// Whether FUSE mounts work here, tried for real in a throw-away child (for `chaos doctor` and exit 4).
public enum FuseProbe {
    /// - Parameter userNamespace: try inside a new user namespace (how an unprivileged chaos runs).
    /// - Returns: nil when a mount worked, else what failed (`mount: Operation not permitted (EPERM)`).
    public static func failure(userNamespace: Bool) -> String? {
        var stage: Int32 = 0
        let error = cfs_probe_mount(userNamespace ? 1 : 0, &stage)
        guard error != 0 else { return nil }
        let step = ["unshare", "open /dev/fuse", "mount"][Int(max(0, min(2, stage)))]
        return "\(step): \(String(cString: strerror(error))) (\(String(cString: cchaos_errno_name(error))))"
    }
}
