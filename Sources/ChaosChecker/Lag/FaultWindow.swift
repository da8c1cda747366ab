import ChaosHistory

/// One fault from injection to heal, with the nodes it was aimed at: the time those nodes are excused.
public struct FaultWindow: Sendable, Hashable {
    public var id: Int
    public var fault: String
    public var targets: [String]
    /// Nanoseconds since the start of the run.
    public var start: Int64
    /// When it was healed; nil when the run ended with the fault in place.
    public var end: Int64?

    public init(id: Int, fault: String, targets: [String], start: Int64, end: Int64?) {
        self.id = id
        self.fault = fault
        self.targets = targets
        self.start = start
        self.end = end
    }

    /// Pairs each injection with its heal (by event id), in injection order. Failed attempts are left out:
    /// a fault that was never applied excuses nothing.
    public static func windows(from events: [NemesisEvent]) -> [FaultWindow] {
        var open: [Int: FaultWindow] = [:]
        var result: [FaultWindow] = []
        for event in events.sorted(by: { $0.time < $1.time }) {
            switch event.phase {
            case .inject:
                open[event.id] = FaultWindow(id: event.id, fault: event.fault, targets: event.targets,
                                             start: event.time, end: nil)
            case .heal:
                guard var window = open.removeValue(forKey: event.id) else { continue }
                // A membership change is over when the original membership is back and caught up, which the
                // heal's latency covers: until then the node is not (yet) a voter and owes no progress.
                window.end = event.fault == "membership" ? event.time + (event.latencyNanos ?? 0) : event.time
                result.append(window)
            case .error:
                continue
            }
        }
        result += open.values
        return result.sorted { $0.start < $1.start }
    }

    /// True when the fault was aimed at `node` at `time`, or healed less than `grace` before it.
    public func excuses(_ node: String, at time: Int64, grace: Int64) -> Bool {
        targets.contains(node) && time >= start && time <= (end.map { $0 + grace } ?? Int64.max)
    }
}

extension Array where Element == FaultWindow {
    /// The windows aimed at `node`.
    func aimed(at node: String) -> [FaultWindow] { filter { $0.targets.contains(node) } }
}
