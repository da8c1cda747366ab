import Foundation
import Testing
@testable import ChaosNet

#if canImport(Glibc)
import Glibc
#endif

/// The lab must vanish with the controller, even when the controller is SIGKILLed: the holders die by
/// PR_SET_PDEATHSIG, the controller's fds and netlink sockets close, and the kernel frees the namespaces.
@Suite(.serialized, .timeLimit(.minutes(1)),
       .enabled(if: NetProbe.isRoot, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct ControllerDeathTests {
    /// `chaos-net-probe`, built next to the test bundle by `swift build`.
    static var probePath: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: directory.path + "/chaos-net-probe") {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("chaos-net-probe").path
    }

    @Test func theLabDiesWithASIGKILLedController() throws {
        let probe = Self.probePath
        try #require(FileManager.default.isExecutableFile(atPath: probe),
                     "chaos-net-probe not found at \(probe); run `swift build` before `swift test`")
        let linksBefore = NetProbe.run(["ip", "-o", "link"]).output
        let routesBefore = NetProbe.run(["ip", "route"]).output

        let process = Process()
        process.executableURL = URL(filePath: probe)
        process.arguments = ["3"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        let split = try #require(words.firstIndex(of: "namespaces"), "probe said: \(line)")
        let holders = words[1..<split].compactMap { Int32($0) }
        let namespaces = Set(words[(split + 1)...])
        #expect(holders.count == 4)
        #expect(namespaces.count == 4)
        #expect(!NetProbe.namespaceInodes().intersection(namespaces).isEmpty, "the lab should be alive now")

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline,
              holders.contains(where: { FileManager.default.fileExists(atPath: "/proc/\($0)/ns/net") })
                || !NetProbe.namespaceInodes().intersection(namespaces).isEmpty {
            usleep(20_000)
        }
        for pid in holders {
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)/ns/net"), "holder \(pid) outlived chaos")
        }
        #expect(NetProbe.namespaceInodes().intersection(namespaces).isEmpty, "a lab namespace outlived chaos")
        #expect(NetProbe.run(["ip", "-o", "link"]).output == linksBefore)
        #expect(NetProbe.run(["ip", "route"]).output == routesBefore)
    }
}
