import ChaosHistory

/// `samples.jsonl` read with the flat scanner: about 30× faster than a `JSONDecoder` per line on an hour of
/// samples. Unknown fields are ignored, so a newer file still reads.
enum SampleLines {
    static func read(_ bytes: [UInt8], path: String) throws(ReportError) -> [Sample] {
        try scanLines(bytes, path: path) { (scanner: inout FlatJSONScanner) throws(FlatJSONScanner.Failure) in
            var time: Int64?, node: String?, answered: Bool?
            var sample = Sample(time: 0, node: "", answered: false)
            let start = scanner.pos
            let reader = scanner  // the same bytes, for reading values while `scanner` moves on
            try scanner.fields { (key, kind, range, escaped) throws(FlatJSONScanner.Failure) in
                func int() -> Int64? { kind == .number ? reader.integer(range) : nil }
                func text() -> String? { kind == .string ? reader.text(range, escaped: escaped) : nil }
                switch key {
                case "time": time = int()
                case "node": node = text()
                case "answered": answered = kind == .bool ? reader.bytes[range.lowerBound] == UInt8(ascii: "t") : nil
                case "error": sample.error = text()
                case "role": sample.role = text()
                case "term": sample.term = int()
                case "leader": sample.leader = text()
                case "commitIndex": sample.commitIndex = int()
                case "appliedIndex": sample.appliedIndex = int()
                case "lastIndex": sample.lastIndex = int()
                case "snapshotIndex": sample.snapshotIndex = int()
                case "pid": sample.pid = int().map { Int32(truncatingIfNeeded: $0) }
                case "rssBytes": sample.rssBytes = int()
                case "openFDs": sample.openFDs = int().map { Int($0) }
                case "threads": sample.threads = int().map { Int($0) }
                default: break
                }
            }
            guard let time, let node, let answered else {
                throw FlatJSONScanner.Failure(offset: start, message: "not a Sample record (it needs time, node and "
                    + "answered); the file may be damaged or written by another version of chaos")
            }
            sample.time = time
            sample.node = node
            sample.answered = answered
            return sample
        }
    }
}
