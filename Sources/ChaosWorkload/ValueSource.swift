import Synchronization

/// Hands out unique values and remembers the last value observed per key, shared by all clients.
final class ValueSource: Sendable {
    private let next = Atomic<Int64>(1)
    private let seen = Mutex<[String: Int64]>([:])

    /// A value never handed out before in this run.
    func fresh() -> Int64 {
        next.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    func lastSeen(_ key: String) -> Int64? {
        seen.withLock { $0[key] }
    }

    func observe(_ key: String, _ value: Int64?) {
        guard let value else { return }
        seen.withLock { $0[key] = value }
    }
}
