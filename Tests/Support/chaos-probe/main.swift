// chaos-probe: a stand-in controller for the "no orphans" test.
//
// Usage: chaos-probe [COUNT] [--no-parent-death-signal]
// Spawns COUNT (default 3) `sleep 60` children through `Supervisor`, prints `pids P1 P2 P3` on one line, then
// blocks forever. The test SIGKILLs this process and checks that the children died with it
// (PR_SET_PDEATHSIG set by the supervisor thread). `--no-parent-death-signal` turns that off, so a control
// test can show the orphans the mechanism prevents.

import ChaosControl
import Foundation

let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 3
let parentDeathSignal = CommandLine.arguments.contains("--no-parent-death-signal") ? 0 : SIGKILL
let supervisor = Supervisor()
var pids: [Int32] = []
do {
    for _ in 0..<count {
        let child = try supervisor.spawn(ProcessSpec(
            executable: "/bin/sleep", arguments: ["60"], stdoutPath: "/dev/null", stderrPath: "/dev/null",
            parentDeathSignal: parentDeathSignal))
        pids.append(child.pid)
    }
} catch {
    FileHandle.standardError.write("chaos-probe: \(error)\n".data(using: .utf8)!)
    exit(1)
}
FileHandle.standardOutput.write(("pids " + pids.map(String.init).joined(separator: " ") + "\n").data(using: .utf8)!)
while true {
    sleep(3600)
}
