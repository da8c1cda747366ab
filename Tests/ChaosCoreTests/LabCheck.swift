import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Verification helpers for runs on the lab network: reading run files, and looking at namespaces and the host
/// from outside with `ip`, `nsenter` and `/proc` (verification only; chaos itself uses netlink).
enum LabCheck {
    static func writePlan(in directory: String, _ text: String) throws -> String {
        let path = "\(directory)/plan.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The run directory `latest` points at.
    static func runDirectory(_ out: String) throws -> String {
        "\(out)/" + (try FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
    }

    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// `ip -o link` and `ip route` of the host's namespace.
    static func hostNetwork() -> String {
        run(["ip", "-o", "link"]).output + run(["ip", "route"]).output
    }

    /// Pids of processes whose network namespace is one of `inodes` (`net:[4026…]`).
    static func processes(in inodes: Set<String>) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let inode = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
            else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let zombie = stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false
            return !zombie && inodes.contains(inode)
        }
    }

    /// Live `sleep` children of this test process: the lab's namespace holders, when a lab is up.
    static func holderChildren() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  stat.contains("(sleep)") else { return false }
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[1]) == me
        }
    }

    /// Sends one UDP datagram from `from`'s namespace to a closed port at `address` and reports whether it
    /// arrived, seen as the receiver's `Udp: NoPorts` counter going up (the datagram reached its stack).
    static func udpDelivered(from: String, to: String, address: String) -> Bool {
        let before = noPorts(in: to)
        run(["nsenter", "--net=\(from)", "bash", "-c", "echo probe > /dev/udp/\(address)/9"])
        for _ in 0..<20 {
            if noPorts(in: to) > before { return true }
            usleep(25_000)
        }
        return false
    }

    /// `Udp: NoPorts` of the namespace at `path`, read through a process inside it.
    static func noPorts(in path: String) -> Int {
        let lines = run(["nsenter", "--net=\(path)", "cat", "/proc/net/snmp"]).output.split(separator: "\n")
            .filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return -1 }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        guard let column = names.firstIndex(of: "NoPorts"), column < values.count else { return -1 }
        return Int(values[column]) ?? -1
    }

    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
