import Dispatch
import Foundation

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
        bits = Self.allocate(UInt64.self, capacity * words)
        states = Self.allocate(Int64.self, capacity)
        hashes = Self.allocate(UInt64.self, capacity)
    }

    deinit {
        slots.deallocate()
        free(bits)
        free(states)
        free(hashes)
    }

    /// Empties the table and frees its buffers on a background thread. Unmapping gigabytes takes the kernel
    /// a while (seconds on a loaded machine), and a search stopped at its time limit must not make the verdict
    /// wait for that: the limit is honoured within 100 ms.
    mutating func freeInBackground() {
        let old = Buffers(slots: UnsafeMutableRawPointer(slots), bits: UnsafeMutableRawPointer(bits),
                          states: UnsafeMutableRawPointer(states), hashes: UnsafeMutableRawPointer(hashes))
        capacity = 1
        slotMask = 1
        count = 0
        slots = .allocate(capacity: 2)
        slots.initialize(repeating: -1, count: 2)
        bits = Self.allocate(UInt64.self, words)
        states = Self.allocate(Int64.self, 1)
        hashes = Self.allocate(UInt64.self, 1)
        DispatchQueue.global(qos: .utility).async { old.free() }
    }

    /// Buffers handed to another thread to free.
    private struct Buffers: @unchecked Sendable {
        let slots, bits, states, hashes: UnsafeMutableRawPointer

        func free() {
            slots.deallocate()
            Foundation.free(bits)
            Foundation.free(states)
            Foundation.free(hashes)
        }
    }

    /// Bytes that growing the table once more would add (the entry arrays double, the slots are rebuilt).
    var growthBytes: Int { capacity * (words * 8 + 16) + 4 * 4 * capacity }

    /// Bytes the table holds now.
    var bytes: Int { capacity * (words * 8 + 16) + 4 * 2 * capacity }

    enum Insertion {
        case added, present, full
    }

    /// Adds the configuration: `present` when it was already there, `full` when the table must grow and
    /// `budget` says the process has no room for it (or the search was stopped while rehashing).
    @inline(__always)
    mutating func insert(_ key: UnsafePointer<UInt64>, hash bitsetHash: UInt64, state: Int64,
                         budget: SearchBudget, size: Int) -> Insertion {
        let hash = Self.mix(bitsetHash ^ (UInt64(bitPattern: state) &* 0x9E37_79B9_7F4A_7C15))
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == hash && states[entry] == state && equal(bits + entry * words, key) {
                return .present
            }
            slot = (slot + 1) & slotMask
        }
        if count == capacity {
            guard budget.canAllocate(growthBytes), grow(budget: budget, size: size) else { return .full }
            slot = Int(truncatingIfNeeded: hash) & slotMask
            while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
        }
        slots[slot] = Int32(count)
        (bits + count * words).update(from: key, count: words)
        states[count] = state
        hashes[count] = hash
        count += 1
        return .added
    }

    @inline(__always)
    private func equal(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>) -> Bool {
        for i in 0..<words where a[i] != b[i] { return false }
        return true
    }

    /// Doubles the table. `realloc` moves the large entry arrays by remapping pages, so growing copies no
    /// bitsets and never holds two copies; the slot index is rebuilt, polling the cutoff as it goes so a
    /// stopped search does not finish a rehash of millions of entries first. False when stopped.
    private mutating func grow(budget: SearchBudget, size: Int) -> Bool {
        let newCapacity = capacity * 2
        let newSlots = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * newCapacity)
        newSlots.initialize(repeating: -1, count: 2 * newCapacity)
        let newMask = 2 * newCapacity - 1
        for entry in 0..<count {
            if entry & 0xFFFF == 0xFFFF && size > budget.cutoff {
                newSlots.deallocate()
                return false
            }
            var slot = Int(truncatingIfNeeded: hashes[entry]) & newMask
            while newSlots[slot] >= 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = Int32(entry)
        }
        bits = Self.reallocate(bits, newCapacity * words)
        states = Self.reallocate(states, newCapacity)
        hashes = Self.reallocate(hashes, newCapacity)
        slots.deallocate()
        slots = newSlots
        slotMask = newMask
        capacity = newCapacity
        return true
    }

    private static func allocate<T>(_: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = malloc(count * MemoryLayout<T>.stride) else { fatalError("out of memory") }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    private static func reallocate<T>(_ pointer: UnsafeMutablePointer<T>, _ count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = realloc(pointer, count * MemoryLayout<T>.stride) else { fatalError("out of memory") }
        return raw.bindMemory(to: T.self, capacity: count)
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
