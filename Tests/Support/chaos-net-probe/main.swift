// chaos-net-probe: a stand-in controller for the "the lab dies with the controller" test.
//
// Usage: chaos-net-probe [NODES]
// Builds a lab of NODES (default 3) namespaces with a partition applied, prints
// `holders P1 P2 … namespaces net:[I1] net:[I2] …` on one line, then blocks forever. The test SIGKILLs this
// process and checks that the holders died and no process holds the lab's namespaces any more.

import ChaosPlan
import ChaosNet
import Foundation

let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 3
let nodes = (1...max(count, 2)).map { "n\($0)" }
do {
    let lab = try Lab.create(nodes: nodes, subnet: "10.76.0.0/24")
    try lab.apply(PartitionSpec.Shape.halves.grudge(nodes: nodes), mechanism: .route)
    let paths = [lab.labNamespacePath] + nodes.map(lab.namespacePath)
    let inodes = paths.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: $0) }
    let line = "holders " + lab.holderPIDs.map(String.init).joined(separator: " ")
        + " namespaces " + inodes.joined(separator: " ") + "\n"
    FileHandle.standardOutput.write(line.data(using: .utf8)!)
    while true {
        sleep(3600)
    }
} catch {
    FileHandle.standardError.write("chaos-net-probe: \(error)\n".data(using: .utf8)!)
    exit(1)
}
