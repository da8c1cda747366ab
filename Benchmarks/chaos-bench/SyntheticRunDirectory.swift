import ChaosHistory
import Foundation

/// A run directory as `chaos run` leaves it, written without running anything: a plan and a `history.jsonl` in
/// the real chaos JSONL format of a cas-register workload that is linearizable by construction (each call takes
/// effect at a point inside its interval, in call order), with a few % `fail` and `info` completions.
struct SyntheticRunDirectory {
    var operations: Int
    var keys = 16
    var clients = 8

    /// Writes the directory; returns the history's size in bytes.
    func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let plan = """
            name: judge-memory
            duration: \(max(1, operations / 1000))s
            cluster: { system: raft-node, nodes: 3 }
            workload: { kind: cas-register, keys: \(keys), clients: \(clients), rate: 1000/s, timeout: 1s }
            checks: { stats: {}, linearizable: {}, liveness: {} }

            """
        try plan.write(toFile: "\(directory)/plan.yaml", atomically: true, encoding: .utf8)
        let path = "\(directory)/history.jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let file = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? file.close() }
        var rng = SplitMix(state: 13)
        var registers = [Int64?](repeating: nil, count: keys)
        var process = Array(0..<clients)
        var pending: [ChaosHistory.Operation] = []  // completions not yet written, at most one per client
        var buffer: [UInt8] = []
        var index = 0
        var bytes = 0
        func emit(_ op: ChaosHistory.Operation) throws {
            var op = op
            op.index = index
            index += 1
            JSONLCodec.encode(op, into: &buffer)
            if buffer.count >= 1 << 20 {
                try file.write(contentsOf: buffer)
                bytes += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        // Call n starts at n µs and takes effect at n µs + 500 ns (so effects follow call order, each inside
        // its call); it completes within 7 µs, before its client's next call (n + clients) µs.
        for n in 0..<operations {
            let client = n % clients
            let start = Int64(n) * 1000
            pending.sort { $0.time < $1.time }
            while let first = pending.first, first.time < start { try emit(pending.removeFirst()) }
            let key = rng.next(keys)
            let kind = rng.next(10)
            let roll = rng.next(100)
            let f: String, value: Value
            var completion: Value
            var type = OpType.ok
            switch kind {
            case 0..<4:
                f = "read"; value = .null
                completion = registers[key].map { .int($0) } ?? .null
            case 4..<7:
                let v = Int64(rng.next(50))
                f = "write"; value = .int(v); completion = value
                if roll < 2 { type = .fail } else { registers[key] = v }
            default:
                let expected = Int64(rng.next(50)), new = Int64(rng.next(50))
                f = "cas"; value = .vector([.int(expected), .int(new)]); completion = value
                if registers[key] == expected && roll >= 2 { registers[key] = new } else { type = .fail }
            }
            if roll >= 97 && f != "read" {
                // Indeterminate: the effect may or may not have happened; the client goes on as a new process.
                type = .info
                completion = value
            }
            let keyValue = Value.string("k\(key)")
            try emit(ChaosHistory.Operation(time: start, process: process[client], type: .invoke, f: f, key: keyValue,
                               value: value, node: "n1"))
            let latency = 600 + Int64(rng.next(6000))
            pending.append(ChaosHistory.Operation(time: start + latency, process: process[client], type: type, f: f,
                                     key: keyValue, value: completion,
                                     error: type == .ok ? nil : (type == .fail ? "mismatch" : "timeout"),
                                     node: "n1"))
            if type == .info { process[client] += clients }
        }
        pending.sort { $0.time < $1.time }
        for op in pending { try emit(op) }
        try file.write(contentsOf: buffer)
        return bytes + buffer.count
    }
}
