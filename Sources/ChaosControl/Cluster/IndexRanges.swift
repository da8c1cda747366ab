/// A set of log indexes kept as disjoint ranges in order: the committed log follower's record of what it has
/// read, one range per stretch without a hole (entries arrive mostly in order, so inserting is usually extending
/// the last range).
struct IndexRanges: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<Int64>] = []

    mutating func insert(_ index: Int64) {
        if let last = ranges.last {
            if last.contains(index) { return }
            if index == last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...index
                return
            }
            if index > last.upperBound {
                ranges.append(index...index)
                return
            }
        } else {
            ranges.append(index...index)
            return
        }
        // Out of order: the first range ending at or after `index - 1`.
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < index - 1 { low = mid + 1 } else { high = mid }
        }
        if ranges[low].contains(index) { return }
        if ranges[low].upperBound == index - 1 {
            ranges[low] = ranges[low].lowerBound...index
            if low + 1 < ranges.count, ranges[low + 1].lowerBound == index + 1 {
                ranges[low] = ranges[low].lowerBound...ranges[low + 1].upperBound
                ranges.remove(at: low + 1)
            }
        } else if ranges[low].lowerBound == index + 1 {
            ranges[low] = index...ranges[low].upperBound
        } else {
            ranges.insert(index...index, at: low)
        }
    }

    /// The stretches of `from...through` not inserted, in order.
    func holes(from: Int64, through: Int64) -> [ClosedRange<Int64>] {
        guard from <= through else { return [] }
        var out: [ClosedRange<Int64>] = []
        var next = from
        for range in ranges where range.upperBound >= next {
            if range.lowerBound > through { break }
            if range.lowerBound > next { out.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
            if next > through { return out }
        }
        if next <= through { out.append(next...through) }
        return out
    }
}
