@testable import ChaosCore
import ChaosNemesis
import ChaosNet
import ChaosPlan
import Foundation
import Testing

/// A `jitter` plan that needs what the machine refuses is exit 4 before anything starts, located at its step and
/// with the remedy; the machine's answers are injected, so the refusals are tested without changing the host.
@Suite struct SchedulingRefusalTests {
    static func plan(_ step: String) throws -> (path: String, plan: Plan) {
        let directory = TestSupport.temporaryDirectory("sched-refused")
        let path = "\(directory)/jitter.yaml"
        try """
            name: jitter
            duration: 10s
            cluster: { nodes: 3, network: loopback }
            nemesis:
              \(step)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try PlanLoader.load(path: path))
    }

    static let refusing = SchedulingProbe.Answer(affinity: false, lowering: false,
                                                 detail: "SCHED_IDLE and back: Operation not permitted",
                                                 remedy: "run chaos as root")

    @Test func loweringThatCannotBeUndoneIsRefused() throws {
        let (path, plan) = try Self.plan("- { at: 1s, fault: jitter, target: leader, sched: { lower: w } }")
        let error = #expect(throws: RunError.self) { try SchedulingRequirement.check(plan) { Self.refusing } }
        #expect(error?.exitCode == .environment)
        #expect(error?.description == "\(path):5:5: jitter with 'lower' needs to raise a lowered thread back at "
                + "heal, which this machine refuses (SCHED_IDLE and back: Operation not permitted); run chaos as root")
    }

    @Test func affinityThatIsRefusedIsRefused() throws {
        let (path, plan) = try Self.plan("- { at: 1s, fault: jitter, target: leader, sched: { cpu: 0 } }")
        let error = #expect(throws: RunError.self) { try SchedulingRequirement.check(plan) { Self.refusing } }
        #expect(error?.description.hasPrefix("\(path):5:5: jitter with 'cpu' needs sched_setaffinity") == true)
    }

    @Test func freezesAloneNeedNoSchedulingProbeButPtrace() throws {
        let (path, plan) = try Self.plan("- { at: 1s, fault: jitter, target: leader, sched: { freeze: 100/s } }")
        try SchedulingRequirement.check(plan) {
            Issue.record("probed although the plan changes no affinity or priority")
            return Self.refusing
        }
        let refused = Capabilities.Entry(name: "ptrace", available: false, detail: "EPERM", remedy: "be root")
        let error = #expect(throws: RunError.self) { try PtraceRequirement.check(plan, ptrace: refused) }
        #expect(error?.description == "\(path):5:5: jitter with 'freeze' needs ptrace, which this machine refuses "
                + "(EPERM); be root")
    }
}
