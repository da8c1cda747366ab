import Foundation
import RaftNode
import RaftNodeHarness
import Testing

/// Bad input to the raft-node executable: one line naming the problem, non-zero exit, nothing written.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct CommandLineTests {
    static let cases: [(args: [String], expected: String)] = [
        (["--data-dir", "DIR", "--listen-raft", "127.0.0.1:1", "--listen-http", "127.0.0.1:2"], "--id"),
        (["--id", "n1", "--data-dir", "DIR", "--listen-raft", "127.0.0.1:1", "--listen-http", "127.0.0.1:2",
          "--verbose"], "'--verbose'"),
        (["--id", "n1", "--data-dir", "DIR", "--listen-raft", "127.0.0.1:1", "--listen-http", "127.0.0.1:2",
          "--peer", "n2=127.0.0.1:3"], "invalid peer 'n2=127.0.0.1:3'"),
        (["--id", "n1", "--data-dir", "DIR", "--listen-raft", "nohost", "--listen-http", "127.0.0.1:2"],
         "invalid address 'nohost'"),
        (["--id", "n1", "--data-dir", "DIR", "--listen-raft", "127.0.0.1:1", "--listen-http", "127.0.0.1:2",
          "--election-timeout", "soon"], "invalid duration 'soon'"),
        (["--id", "n1", "--data-dir", "DIR", "--listen-raft", "127.0.0.1:1", "--listen-http", "127.0.0.1:2",
          "--peer", "n1=127.0.0.1:3,127.0.0.1:4"], "given twice"),
    ]

    @Test(arguments: cases)
    func badInputFailsWithOneLineAndWritesNothing(args: [String], expected: String) throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let dir = NSTemporaryDirectory() + "raft-cli-" + UUID().uuidString
        let (status, stderr) = try run(binary, args.map { $0 == "DIR" ? dir : $0 })
        #expect(status != 0)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(stderr)")
        #expect(stderr.hasPrefix("raft-node: "))
        #expect(stderr.contains(expected), "stderr: \(stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func dataDirOfAnotherNodeIsRefused() throws {
        let binary = try #require(LocalCluster.findBinary(),
                                  "raft-node binary not built; run `swift build --product raft-node` first")
        let dir = NSTemporaryDirectory() + "raft-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "node=n1\ncluster=0000000000000001\n".write(toFile: dir + "/meta", atomically: true, encoding: .utf8)
        let (status, stderr) = try run(binary, ["--id", "n2", "--data-dir", dir, "--listen-raft", "127.0.0.1:0",
                                                "--listen-http", "127.0.0.1:0"])
        #expect(status != 0)
        #expect(stderr.split(separator: "\n").count == 1)
        #expect(stderr.contains("belongs to node 'n1'"), "stderr: \(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["meta"])
    }

    private func run(_ binary: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
