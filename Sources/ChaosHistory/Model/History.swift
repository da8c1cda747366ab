/// An ordered client history.
public struct History: Sendable, Hashable {
    public var operations: [Operation]

    public init(_ operations: [Operation] = []) {
        self.operations = operations
    }

    /// Renumbers `index` densely from 0, in the current order.
    public mutating func reindex() {
        for i in operations.indices { operations[i].index = i }
    }

    public var count: Int { operations.count }
}
