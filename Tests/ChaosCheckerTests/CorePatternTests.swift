import ChaosChecker
import ChaosHistory
import Foundation
import Testing

/// Finding a node's core files from `kernel.core_pattern`, against files laid out the way the kernel would.
@Suite struct CorePatternTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pattern: String
        var usesPID = false
        var absolute = false
        var files: [String]
        /// Found file names and the pid each is attributed to (pids of the node's exits: 42).
        var found: [String: Int32?]

        var testDescription: String { "\(pattern)\(usesPID ? " + core_uses_pid" : "")" }
    }

    static let cases = [
        Case(pattern: "core", files: ["core", "core.txt", "stderr.log"], found: ["core": nil]),
        Case(pattern: "core", usesPID: true, files: ["core.42", "core", "core.7"],
             found: ["core.42": 42, "core.7": nil]),
        Case(pattern: "%e.%p.core", files: ["raft-node.42.core", "sh.7.core", "x.core"],
             found: ["raft-node.42.core": 42, "sh.7.core": nil]),
        Case(pattern: "cores/core-%t-%%", files: ["cores/core-1700000000-%", "core"],
             found: ["core-1700000000-%": nil]),
        // An absolute directory holds every process's cores: only those naming the node's pid are its.
        Case(pattern: "core.%p", absolute: true, files: ["core.42", "core.7"], found: ["core.42": 42]),
        Case(pattern: "core", absolute: true, files: ["core"], found: [:]),
    ]

    @Test(arguments: cases)
    func findsTheNodesCoreFiles(_ c: Case) throws {
        let directory = NSTemporaryDirectory() + "cores-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for file in c.files {
            let path = "\(directory)/\(file)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: path, contents: Data("ELF".utf8)))
        }
        let pattern = CorePattern(pattern: c.absolute ? "\(directory)/\(c.pattern)" : c.pattern, usesPID: c.usesPID)
        let found = pattern.coreFiles(workingDirectory: directory, pids: [42])
        let byName = Dictionary(uniqueKeysWithValues: found.map { (($0.path as NSString).lastPathComponent, $0.pid) })
        #expect(byName == c.found)
    }

    @Test func aPipedCoreIsNamedWhereItWent() async {
        let pattern = CorePattern(pattern: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h")
        #expect(pattern.pipeProgram == "/usr/lib/systemd/systemd-coredump")
        #expect(pattern.coreFiles(workingDirectory: NSTemporaryDirectory(), pids: [42]).isEmpty)
        #expect(pattern.whereCoresGo
            .hasPrefix("kernel.core_pattern pipes cores to '/usr/lib/systemd/systemd-coredump'"))
        let exit = NodeExit(node: "n1", pid: 42, time: 1_000_000_000, status: .signaled(signal: 6, coreDumped: true),
                            cause: .unexpected)
        let result = await CrashChecker(patterns: [], corePattern: pattern)
            .check(CheckInput(history: History(), exits: [exit], nodes: ["n1"]))
        #expect(result.findings.first?.details.last
            == "its core went to '/usr/lib/systemd/systemd-coredump' (kernel.core_pattern is a pipe); look there")
    }
}
