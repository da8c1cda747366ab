@testable import ChaosCore
import ChaosPlan
import Testing

/// A plan with `disk: cached` is refused before anything starts (exit 4, what failed and the remedy) where FUSE
/// mounts are refused; the machine's answer is injected, so the refusal is tested without breaking /dev/fuse.
@Suite struct DiskRefusalTests {
    static let plan = """
        name: d
        duration: 10s
        cluster: { nodes: 3, disk: cached }
        nemesis:
          - { at: 2s, fault: power-failure, target: leader, for: 2s }
        """

    @Test func aCachedDiskIsRefusedWhereFUSEIsNot() throws {
        let plan = try PlanLoader.parse(Self.plan, file: "plans/d.yaml")
        let error = #expect(throws: RunError.self) {
            try DiskRequirement.check(plan, probe: "open /dev/fuse: No such file or directory (ENOENT)")
        }
        #expect(error?.exitCode == .environment)
        let message = error?.description ?? ""
        #expect(message.contains("'disk: cached' needs FUSE mounts, which this machine refuses (open /dev/fuse: "
                                 + "No such file or directory (ENOENT))"), "\(message)")
        #expect(message.contains("modprobe fuse") && message.contains("--device /dev/fuse"), "\(message)")
    }

    @Test func aPlainDiskNeverProbes() throws {
        var plan = try PlanLoader.parse(Self.plan.replacingOccurrences(of: ", disk: cached", with: "")
            .replacingOccurrences(of: "power-failure", with: "kill"), file: "plans/d.yaml")
        plan.cluster.disk = .plain
        try DiskRequirement.check(plan, probe: Self.unexpectedProbe())
    }

    static func unexpectedProbe() -> String? {
        Issue.record("probed FUSE for a plan with a plain disk")
        return "refused"
    }
}
