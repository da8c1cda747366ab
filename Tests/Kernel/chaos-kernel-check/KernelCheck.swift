// chaos-kernel-check: proves the netem path on a real kernel (run inside the qemu VM by `make test-kernel`).
//
// Usage: chaos-kernel-check [--raft-node PATH] [--work DIR] [--reason-file FILE]
// Prints every measurement, one `KERNEL-CHECK <name> PASS|FAIL ...` line per check, and exits 0 only when
// every check passed. On failure the first reason is also written to --reason-file for the VM's /init.

import ChaosControl
import ChaosNet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

@main
struct KernelCheck {
    /// Kernel features every check needs; missing ones fail at once with the probe's remedy.
    static let required = ["root", "netns", "veth", "bridge", "htb", "u32", "netem"]

    static func main() async {
        let options = Options(CommandLine.arguments.dropFirst())
        var failures: [String] = []
        func log(_ line: String) {
            say("  " + line)
        }
        func record(_ name: String, _ result: Result<Void, any Error>, since start: ContinuousClock.Instant) {
            let seconds = String(format: "%.1f s", (ContinuousClock.now - start).seconds)
            switch result {
            case .success: say("KERNEL-CHECK \(name) PASS (\(seconds))")
            case .failure(let error):
                say("KERNEL-CHECK \(name) FAIL (\(seconds)): \(error)")
                failures.append("\(name): \(error)")
            }
        }

        say("chaos-kernel-check on \(kernelRelease())")
        let capabilities = Capabilities.probe()
        say(capabilities.description)
        let missing = required.filter { !capabilities.has($0) }
        var start = ContinuousClock.now
        record("capabilities", missing.isEmpty ? .success(()) : .failure(KernelCheckError(
            "probe kernel features", "missing \(missing.joined(separator: ", "))")), since: start)

        if missing.isEmpty {
            do {
                let lab = try Lab.create(nodes: ["n1", "n2", "n3"])
                defer { lab.teardown() }
                say("lab: n1 \(lab.address(of: "n1")), n2 \(lab.address(of: "n2")), n3 \(lab.address(of: "n3"))")
                start = .now
                record("netem-delay", Result { try DelayCheck(lab: lab).run(log: log) }, since: start)
                start = .now
                let raft = RaftIsolationCheck(lab: lab, binary: options.raftNode, directory: options.work)
                let outcome: Result<Void, any Error>
                do {
                    try await raft.run(log: { say("  " + $0) })
                    outcome = .success(())
                } catch {
                    outcome = .failure(error)
                }
                record("raft-isolation", outcome, since: start)
            } catch {
                record("lab", .failure(error), since: start)
            }
        }

        if failures.isEmpty {
            say("KERNEL-CHECKS PASS")
            exit(0)
        }
        if let file = options.reasonFile {
            try? failures[0].write(toFile: file, atomically: true, encoding: .utf8)
        }
        say("KERNEL-CHECKS FAIL: \(failures.joined(separator: "; "))")
        exit(1)
    }

    /// Writes one line at once, unbuffered: the console is all a VM that dies leaves behind.
    static func say(_ line: String) {
        FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
    }

    static func kernelRelease() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

/// The command line, parsed by hand: three optional flags are not worth a dependency in the VM image.
struct Options {
    var raftNode: String
    var work = "/tmp/chaos-kernel-check"
    var reasonFile: String?

    init(_ arguments: ArraySlice<String>) {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        raftNode = own.deletingLastPathComponent().appendingPathComponent("raft-node").path
        var rest = arguments
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch flag {
            case "--raft-node": raftNode = value
            case "--work": work = value
            case "--reason-file": reasonFile = value
            default:
                FileHandle.standardError.write("chaos-kernel-check: unknown option '\(flag)'\n".data(using: .utf8)!)
                exit(2)
            }
        }
    }
}
