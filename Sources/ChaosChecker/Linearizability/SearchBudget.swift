import ChaosSupport
import Dispatch
import Foundation
import Synchronization

/// Time and memory shared by the partitions of one check, and the cooperative cancellation between them.
///
/// Every search polls `cutoff` (one relaxed atomic load) every few hundred steps: a search whose partition has
/// more steps than the cutoff stops. The cutoff drops to the failing partition's size minus one when a partition
/// is proven not linearizable (only smaller ones may go on, for a smaller counterexample), and to -1 when the
/// time or memory runs out or the refinement budget after a proof is spent. A `BudgetWatch` thread moves it on
/// time and memory; the searches move it on a proof.
final class SearchBudget: Sendable {
    enum Stop: Int, Sendable {
        case none = 0, time, memory, proven
    }

    let deadline: ContinuousClock.Instant
    let timeLimit: Duration
    /// Bytes of resident memory the whole process may hold.
    let memoryLimit: Int
    /// After a proof, how long smaller partitions may still look for a smaller counterexample: at most this,
    /// and never longer than the proof itself took, so the verdict waits at most as long again.
    let refineBudget: Duration
    private let started = ContinuousClock.now
    private let cutoffValue = Atomic<Int>(Int.max)
    private let stopValue = Atomic<Int>(Stop.none.rawValue)
    private let refineUntilNanos = Atomic<Int64>(Int64.max)
    /// The last resident-set size the watch read, and the highest.
    let residentBytes = Atomic<Int>(0)
    let peakResidentBytes = Atomic<Int>(0)

    init(timeLimit: Duration, memoryLimit: Int, refineBudget: Duration? = nil) {
        deadline = ContinuousClock.now.advanced(by: timeLimit)
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
        self.refineBudget = refineBudget ?? min(timeLimit / 10, .seconds(1))
        let resident = ResidentMemory.current()
        residentBytes.store(resident, ordering: .relaxed)
        peakResidentBytes.store(resident, ordering: .relaxed)
    }

    /// Partitions with more steps than this stop at their next poll.
    @inline(__always)
    var cutoff: Int { cutoffValue.load(ordering: .relaxed) }

    /// Why searches were stopped (the first reason wins).
    var stop: Stop { Stop(rawValue: stopValue.load(ordering: .acquiring)) ?? .none }

    /// Stops every search for `reason` (time or memory).
    func stopAll(_ reason: Stop) {
        _ = stopValue.compareExchange(expected: Stop.none.rawValue, desired: reason.rawValue, ordering: .acquiringAndReleasing)
        cutoffValue.store(-1, ordering: .relaxed)
    }

    /// A partition of `steps` steps was proven not linearizable: larger ones stop now, smaller ones get the
    /// refinement budget, at most the time spent so far (never past the deadline).
    func proven(steps: Int) {
        if stopValue.compareExchange(expected: Stop.none.rawValue, desired: Stop.proven.rawValue,
                                     ordering: .acquiringAndReleasing).exchanged {
            let now = ContinuousClock.now
            let until = min(now.advanced(by: min(refineBudget, now - started)), deadline)
            refineUntilNanos.store(Self.nanos(until), ordering: .relaxed)
        }
        cutoffValue.min(steps - 1, ordering: .relaxed)
    }

    /// Whether `bytes` more could be allocated now without passing the memory limit; if so they count as held
    /// until the watch next reads the real figure, so two searches growing at once cannot both take the room.
    func canAllocate(_ bytes: Int) -> Bool {
        if residentBytes.add(bytes, ordering: .relaxed).newValue <= memoryLimit { return true }
        residentBytes.subtract(bytes, ordering: .relaxed)
        return false
    }

    /// Called by the watch: stops everything once the deadline, the refinement budget or the memory limit is
    /// passed. Returns false once nothing more can run.
    func poll() -> Bool {
        let resident = ResidentMemory.current()
        residentBytes.store(resident, ordering: .relaxed)
        peakResidentBytes.max(resident, ordering: .relaxed)
        if cutoff < 0 { return false }
        let now = ContinuousClock.now
        if now >= deadline {
            stopAll(.time)
        } else if resident >= memoryLimit {
            stopAll(.memory)
        } else if Self.nanos(now) >= refineUntilNanos.load(ordering: .relaxed) {
            cutoffValue.store(-1, ordering: .relaxed)
        }
        return cutoff >= 0
    }

    var expired: Bool { ContinuousClock.now >= deadline }

    private static let origin = ContinuousClock.now
    private static func nanos(_ instant: ContinuousClock.Instant) -> Int64 {
        (instant - origin).nanoseconds
    }
}

/// The process's resident set, read from `/proc/self/statm` (what the kernel says the process holds, not an
/// estimate of the search's tables). Opens the file once and re-reads it with `pread`: a few microseconds.
enum ResidentMemory {
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private static let statm: Int32 = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)

    static func current() -> Int {
        if statm >= 0 {
            var buffer = [UInt8](repeating: 0, count: 96)
            let count = buffer.withUnsafeMutableBytes { pread(statm, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                // "size resident shared ...": the second field, in pages.
                var field = 0
                var value = 0
                for byte in buffer[0..<count] {
                    if byte == UInt8(ascii: " ") {
                        field += 1
                        if field == 2 { break }
                    } else if field == 1, byte >= 48, byte <= 57 {
                        value = value * 10 + Int(byte - 48)
                    }
                }
                return value * pageSize
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}

/// The thread that watches the clock and the process's memory for one check, a few hundred times a second, and
/// moves the budget's cutoff; the searches only read one atomic.
final class BudgetWatch: Sendable {
    private let done = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(_ budget: SearchBudget, every interval: Duration = .milliseconds(2)) {
        let seconds = interval.seconds
        let thread = Thread { [self] in
            while !done.load(ordering: .acquiring) {
                if !budget.poll() { break }
                Thread.sleep(forTimeInterval: seconds)
            }
            finished.signal()
        }
        thread.name = "chaos-check-watch"
        thread.start()
    }

    /// Stops the watch and waits for its thread.
    func stop() {
        done.store(true, ordering: .releasing)
        finished.wait()
    }
}
