import Foundation
import Testing

/// The `chaos` executable's contract: exit codes and messages for people.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CommandLineTests {
    /// Runs the built `chaos` with `arguments`; returns exit status, stdout and stderr.
    static func chaos(_ arguments: [String]) throws -> (Int32, String, String) {
        let binary = try #require(TestSupport.binary("chaos"), "chaos is not built; run 'swift build' first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self),
                String(decoding: stderr, as: UTF8.self))
    }

    static func plan(_ text: String) -> String {
        let path = TestSupport.temporaryDirectory("cli") + "/plan.yaml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    static let cases: [([String], Int32, String)] = [
        (["--version"], 0, "0.1.0"),
        (["run"], 3, "Missing expected argument '<plan>'"),
        (["run", "plan.yaml", "--duration", "5q"], 3, "Invalid duration '5q'"),
        (["run", "plan.yaml", "--frobnicate"], 3, "Unknown option '--frobnicate'"),
        (["run", "/nonexistent/plan.yaml"], 3, "/nonexistent/plan.yaml"),
        (["validate", "/nonexistent/plan.yaml"], 3, "/nonexistent/plan.yaml"),
        (["bogus"], 3, "Unexpected argument 'bogus'"),
    ]

    @Test(arguments: cases)
    func exitCodesAndMessages(_ c: ([String], Int32, String)) throws {
        let (status, stdout, stderr) = try Self.chaos(c.0)
        #expect(status == c.1, "chaos \(c.0.joined(separator: " ")): \(stderr)")
        #expect((stdout + stderr).contains(c.2), "chaos \(c.0.joined(separator: " ")) said: \(stdout)\(stderr)")
    }

    @Test func aBadPlanIsRejectedWithEveryProblemLocated() throws {
        let path = Self.plan("name: x\nduration: 3x\ncluster: { system: raft-nod, nodes: three }\n")
        let (status, _, stderr) = try Self.chaos(["run", path])
        #expect(status == 3)
        #expect(stderr.contains("\(path):2:11: "))
        #expect(stderr.contains("\(path):3:20: "))
        #expect(stderr.contains("did you mean 'raft-node'?"))
        #expect(stderr.contains("\(path):3:37: "))
    }

    @Test func validateListsTheSeededSchedule() throws {
        let (status, stdout, _) = try Self.chaos(["validate", "\(TestSupport.packageRoot)/plans/quickstart.yaml",
                                                   "--seed", "42"])
        #expect(status == 0)
        #expect(stdout.contains("kill leader for 4s"))
        #expect(stdout.contains("pause follower for 3s"))
    }

    @Test func doctorPrintsTheCapabilityTable() throws {
        let (status, stdout, _) = try Self.chaos(["doctor"])
        #expect(status == 0)
        #expect(stdout.contains("ptrace"))
        #expect(stdout.contains("raft-node"))
    }

    static let corpus = "\(TestSupport.packageRoot)/../shared/corpus"

    static let checkCases: [([String], Int32, String)] = [
        (["knossos/cas-register/good/memstress3-0.edn", "--model", "cas-register"], 0, "valid"),
        (["knossos/cas-register/bad/cas-failure.edn", "--model", "cas-register"], 1, "invalid"),
        (["porcupine/etcd/etcd_000.log", "--model", "etcd-register"], 1, "invalid"),
        (["porcupine/kv/c10-ok.txt", "--model", "kv", "--json"], 0, "\"verdict\""),
        (["porcupine/etcd/etcd_002.log", "--model", "etcd-register", "--time-limit", "1ms"], 2, "unknown"),
        (["porcupine/etcd/etcd_002.log", "--model", "nonsense"], 3, "unknown model 'nonsense'"),
    ]

    @Test(arguments: checkCases)
    func checkExitCodes(_ c: ([String], Int32, String)) throws {
        try #require(FileManager.default.fileExists(atPath: Self.corpus), "shared/corpus is not beside the package")
        let (status, stdout, stderr) = try Self.chaos(["check", "\(Self.corpus)/\(c.0[0])"] + c.0.dropFirst())
        #expect(status == c.1, "\(c.0): \(stdout)\(stderr)")
        #expect((stdout + stderr).contains(c.2), "\(c.0): \(stdout)\(stderr)")
    }

    @Test func checkLocatesAMalformedHistory() throws {
        let path = TestSupport.temporaryDirectory("check") + "/broken.edn"
        FileManager.default.createFile(atPath: path, contents: Data("[{:process 0, :type :invoke, :f :read}\n {:process 0 :type".utf8))
        let (status, _, stderr) = try Self.chaos(["check", path, "--model", "cas-register"])
        #expect(status == 3)
        #expect(stderr.contains("\(path):2:"), "\(stderr)")
    }
}
