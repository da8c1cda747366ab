import Dispatch
import Foundation

/// The WGL cache: the set of (linearized-ops bitset, model state) configurations already explored.
///
/// Open addressing over flat buffers (no per-entry allocation). Each entry stores its full hash, its state and
/// the part of its bitset that says something: calls are linearized roughly in invocation order, so a bitset is
/// all ones up to some word, all zeros after some later word, and only the words between (about as many calls as
/// were concurrent) need keeping. An entry is (first word that is not all ones, the words from there through the
/// last nonzero one) in an arena: exact, and tens of bytes an entry where the whole bitset of a 100k-call
/// partition was 13 KB. Not copyable: it owns its buffers.
struct StateCache: ~Copyable {
    let words: Int
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    private(set) var count = 0
    private var capacity: Int
    private var states: UnsafeMutablePointer<Int64>
    private var hashes: UnsafeMutablePointer<UInt64>
    /// Per entry: where its words start in `arena`, and (first word index << 32 | word count).
    private var offsets: UnsafeMutablePointer<Int>
    private var spans: UnsafeMutablePointer<UInt64>
    private var arena: UnsafeMutablePointer<UInt64>
    private var arenaCount = 0
    private var arenaCapacity: Int

    init(words: Int) {
        self.words = words
        capacity = 1024
        slotMask = 2 * capacity - 1
        slots = .allocate(capacity: 2 * capacity)
        slots.initialize(repeating: -1, count: 2 * capacity)
        states = Self.allocate(Int64.self, capacity)
        hashes = Self.allocate(UInt64.self, capacity)
        offsets = Self.allocate(Int.self, capacity)
        spans = Self.allocate(UInt64.self, capacity)
        arenaCapacity = 4 * capacity
        arena = Self.allocate(UInt64.self, arenaCapacity)
    }

    deinit {
        slots.deallocate()
        for buffer in [UnsafeMutableRawPointer(states), UnsafeMutableRawPointer(hashes),
                       UnsafeMutableRawPointer(offsets), UnsafeMutableRawPointer(spans),
                       UnsafeMutableRawPointer(arena)] {
            free(buffer)
        }
    }

    /// Empties the table and frees its buffers on a background thread. Unmapping gigabytes takes the kernel
    /// a while (seconds on a loaded machine), and a search stopped at its time limit must not make the verdict
    /// wait for that: the limit is honoured within 100 ms.
    mutating func freeInBackground() {
        let old = Buffers(slots: UnsafeMutableRawPointer(slots),
                          others: [UnsafeMutableRawPointer(states), UnsafeMutableRawPointer(hashes),
                                   UnsafeMutableRawPointer(offsets), UnsafeMutableRawPointer(spans),
                                   UnsafeMutableRawPointer(arena)])
        capacity = 1
        slotMask = 1
        count = 0
        slots = .allocate(capacity: 2)
        slots.initialize(repeating: -1, count: 2)
        states = Self.allocate(Int64.self, 1)
        hashes = Self.allocate(UInt64.self, 1)
        offsets = Self.allocate(Int.self, 1)
        spans = Self.allocate(UInt64.self, 1)
        arenaCount = 0
        arenaCapacity = 1
        arena = Self.allocate(UInt64.self, 1)
        DispatchQueue.global(qos: .utility).async { old.free() }
    }

    /// Buffers handed to another thread to free.
    private struct Buffers: @unchecked Sendable {
        let slots: UnsafeMutableRawPointer
        let others: [UnsafeMutableRawPointer]

        func free() {
            slots.deallocate()
            for buffer in others { Foundation.free(buffer) }
        }
    }

    /// Bytes that growing the entry arrays once more would add (they double, the slots are rebuilt).
    var growthBytes: Int { capacity * 32 + 4 * 4 * capacity }

    /// Bytes the table holds now.
    var bytes: Int { capacity * 32 + 4 * 2 * capacity + arenaCapacity * 8 }

    enum Insertion {
        case added, present, full
    }

    /// Adds the configuration: `present` when it was already there, `full` when the table must grow and
    /// `budget` says the process has no room for it (or the search was stopped while rehashing).
    @inline(__always)
    mutating func insert(_ key: UnsafePointer<UInt64>, hash bitsetHash: UInt64, state: Int64,
                         budget: SearchBudget, size: Int) -> Insertion {
        let hash = Self.mix(bitsetHash ^ (UInt64(bitPattern: state) &* 0x9E37_79B9_7F4A_7C15))
        var low = 0
        while low < words && key[low] == ~0 { low += 1 }
        var high = words - 1
        while high >= low && key[high] == 0 { high -= 1 }
        let length = high - low + 1  // 0 when every word is all ones or zeros
        let span = UInt64(low) << 32 | UInt64(length)
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == hash && states[entry] == state && spans[entry] == span
                && equal(arena + offsets[entry], key + low, length) {
                return .present
            }
            slot = (slot + 1) & slotMask
        }
        if count == capacity {
            guard budget.canAllocate(growthBytes), grow(budget: budget, size: size) else { return .full }
            slot = Int(truncatingIfNeeded: hash) & slotMask
            while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
        }
        if arenaCount + length > arenaCapacity {
            let grown = max(2 * arenaCapacity, arenaCount + length)
            guard budget.canAllocate((grown - arenaCapacity) * 8) else { return .full }
            arena = Self.reallocate(arena, grown)
            arenaCapacity = grown
        }
        slots[slot] = Int32(count)
        (arena + arenaCount).update(from: key + low, count: length)
        offsets[count] = arenaCount
        spans[count] = span
        arenaCount += length
        states[count] = state
        hashes[count] = hash
        count += 1
        return .added
    }

    @inline(__always)
    private func equal(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ length: Int) -> Bool {
        for i in 0..<length where a[i] != b[i] { return false }
        return true
    }

    /// Doubles the entry arrays. `realloc` moves large arrays by remapping pages, so growing never holds two
    /// copies; the slot index is rebuilt, polling the cutoff as it goes so a stopped search does not finish a
    /// rehash of millions of entries first. False when stopped.
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
        states = Self.reallocate(states, newCapacity)
        hashes = Self.reallocate(hashes, newCapacity)
        offsets = Self.reallocate(offsets, newCapacity)
        spans = Self.reallocate(spans, newCapacity)
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
