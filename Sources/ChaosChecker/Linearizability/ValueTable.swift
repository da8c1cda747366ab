import ChaosHistory

/// Interns values to dense ids so model states and steps are plain integers.
struct ValueTable {
    private var ids: [Value: Int64] = [:]
    private(set) var values: [Value] = []

    mutating func id(_ value: Value) -> Int64 {
        if let id = ids[value] { return id }
        let id = Int64(values.count)
        ids[value] = id
        values.append(value)
        return id
    }

    func value(_ id: Int64) -> Value? { id >= 0 && id < values.count ? values[Int(id)] : nil }

    func text(_ id: Int64) -> String { value(id).map(EDNWriter.text) ?? "?" }
}
