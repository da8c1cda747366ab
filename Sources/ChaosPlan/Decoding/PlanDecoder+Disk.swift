import Foundation
import Yams

/// The disk-fault keys of a nemesis step: `torn` (power-failure), `error`, `ops` and `path` (disk-error), `delay`,
/// `jitter` and `ops` (disk-latency); and the rule that disk faults need `cluster: { disk: cached }`.
extension PlanDecoder {
    static let diskKeys = ["torn", "error", "ops", "path"]

    /// What a step's disk keys decoded to; `fault` is nil for steps without a disk fault.
    struct DiskKeys {
        var fault: DiskFault?
    }

    /// - Returns: nil when a key is wrong (reported), else the decoded keys.
    mutating func decodeDisk(_ fields: Fields, faults: [Fault]?) -> DiskKeys? {
        guard let faults else { return DiskKeys() }
        let named = faults.map(\.rawValue).joined(separator: ", ")
        var failed = false
        let owners: [(key: String, fault: Fault)] = [("torn", .powerFailure), ("error", .diskError),
                                                     ("path", .diskError)]
        for (key, fault) in owners where !faults.contains(fault) {
            if let entry = fields[key] {
                error("'\(key)' applies only to '\(fault.rawValue)' faults; this step has \(named)", at: entry.key)
                failed = true
            }
        }
        let timed = faults.contains(.diskError) || faults.contains(.diskLatency)
        if let entry = fields["ops"], !timed {
            error("'ops' applies only to 'disk-error' and 'disk-latency' faults; this step has \(named)",
                  at: entry.key)
            failed = true
        }
        guard !failed else { return nil }
        guard faults.contains(where: \.isDisk) else { return DiskKeys() }

        var disk = DiskFault()
        if faults.contains(.diskLatency) && !faults.contains(.diskError) { disk.operations = [.fsync] }
        if let entry = fields["torn"] {
            guard let flag = boolean(entry) else { return nil }
            disk.torn = flag
        }
        if let entry = fields["error"] {
            guard let code: DiskFault.ErrorCode = choice(entry, what: "disk error") else { return nil }
            disk.error = code
        }
        if let entry = fields["ops"] {
            guard let words = strings(entry) else { return nil }
            var operations: [DiskFault.Operation] = []
            for word in words {
                guard let operation = DiskFault.Operation(rawValue: word) else {
                    let known = DiskFault.Operation.allCases.map(\.rawValue)
                    error("unknown disk operation '\(word)'" + Suggestion.hint(for: word, among: known),
                          at: entry.value)
                    return nil
                }
                if !operations.contains(operation) { operations.append(operation) }
            }
            guard !operations.isEmpty else {
                error("'ops' must name at least one of write, fsync, read", at: entry.value)
                return nil
            }
            disk.operations = operations
        }
        if let entry = fields["path"] {
            guard let pattern = string(entry) else { return nil }
            var compiled = regex_t()
            guard regcomp(&compiled, pattern, REG_EXTENDED | REG_NOSUB) == 0 else {
                error("'path' must be a POSIX extended regular expression on paths in the data directory"
                      + " (like '^/wal/'), got '\(pattern)'", at: entry.value)
                return nil
            }
            regfree(&compiled)
            disk.path = pattern
        }
        if faults.contains(.diskLatency) {
            guard let entry = required("delay", in: fields), let delay = duration(entry, allowZero: false) else {
                return nil
            }
            disk.delay = delay
            if let entry = fields["jitter"] {
                guard let jitter = duration(entry, allowZero: true) else { return nil }
                if jitter > delay {
                    error("'jitter' must not exceed 'delay' (\(Units.format(delay))) for disk-latency"
                          + ", got '\(Units.format(jitter))'", at: entry.value)
                    return nil
                }
                disk.jitter = jitter
            }
        }
        return DiskKeys(fault: disk)
    }

    /// `true`/`false` (YAML's spellings).
    private mutating func boolean(_ entry: Entry) -> Bool? {
        guard let text = string(entry) else { return nil }
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error("'\(entry.name)' must be true or false, got '\(text)'", at: entry.value)
            return nil
        }
    }

    /// Disk faults act on chaos's FUSE layer, which only `disk: cached` puts under the nodes.
    /// - Returns: false when a step was reported.
    mutating func checkDiskFaults(_ steps: [NemesisStep], cluster: ClusterSpec, nemesis: Entry) -> Bool {
        guard cluster.disk != .cached else { return true }
        for step in steps {
            guard let fault = step.faults.first(where: \.isDisk) else { continue }
            let place = step.location.map { " (\($0))" } ?? ""
            error("'\(fault.rawValue)'\(place) needs the node data on chaos's disk layer: add 'disk: cached' to"
                  + " 'cluster'", at: nemesis.key)
            return false
        }
        return true
    }
}
