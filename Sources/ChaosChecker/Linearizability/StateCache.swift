/// The WGL cache: the set of (linearized-ops bitset, model state) configurations already explored.
///
/// Open addressing over flat buffers (no per-entry allocation); each entry stores its full hash, state and
/// bitset words. Not copyable: it owns its buffers.
struct StateCache: ~Copyable {
    let words: Int
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    private(set) var count = 0
    private var capacity: Int
    private var bits: UnsafeMutablePointer<UInt64>
    private var states: UnsafeMutablePointer<Int64>
    private var hashes: UnsafeMutablePointer<UInt64>

    /// Bytes one entry costs, slots included (kept at most half full).
    var bytesPerEntry: Int { words * 8 + 16 + 8 }

    init(words: Int) {
        self.words = words
        capacity = 1024
        slotMask = 2 * capacity - 1
        slots = .allocate(capacity: 2 * capacity)
        slots.initialize(repeating: -1, count: 2 * capacity)
        bits = .allocate(capacity: capacity * words)
        states = .allocate(capacity: capacity)
        hashes = .allocate(capacity: capacity)
    }

    deinit {
        slots.deallocate()
        bits.deallocate()
        states.deallocate()
        hashes.deallocate()
    }

    /// Adds the configuration; false when it was already there.
    @inline(__always)
    mutating func insert(_ key: UnsafePointer<UInt64>, hash bitsetHash: UInt64, state: Int64) -> Bool {
        let hash = Self.mix(bitsetHash ^ (UInt64(bitPattern: state) &* 0x9E37_79B9_7F4A_7C15))
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == hash && states[entry] == state && equal(bits + entry * words, key) { return false }
            slot = (slot + 1) & slotMask
        }
        if count == capacity {
            grow()
            slot = Int(truncatingIfNeeded: hash) & slotMask
            while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
        }
        slots[slot] = Int32(count)
        (bits + count * words).update(from: key, count: words)
        states[count] = state
        hashes[count] = hash
        count += 1
        return true
    }

    @inline(__always)
    private func equal(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>) -> Bool {
        for i in 0..<words where a[i] != b[i] { return false }
        return true
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBits = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity * words)
        newBits.moveInitialize(from: bits, count: count * words)
        bits.deallocate()
        bits = newBits
        let newStates = UnsafeMutablePointer<Int64>.allocate(capacity: newCapacity)
        newStates.moveInitialize(from: states, count: count)
        states.deallocate()
        states = newStates
        let newHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        newHashes.moveInitialize(from: hashes, count: count)
        hashes.deallocate()
        hashes = newHashes
        slots.deallocate()
        slotMask = 2 * newCapacity - 1
        slots = .allocate(capacity: 2 * newCapacity)
        slots.initialize(repeating: -1, count: 2 * newCapacity)
        for entry in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[entry]) & slotMask
            while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
            slots[slot] = Int32(entry)
        }
        capacity = newCapacity
    }

    /// A 64-bit finalizer (splitmix64) so nearby keys spread over the table.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
