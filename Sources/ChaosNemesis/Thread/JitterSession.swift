import CChaosSys
import ChaosControl
import ChaosPlan
import Foundation
import Synchronization

/// One `jitter` fault on one node: confines its threads to one CPU, lowers the chosen ones, runs a busy
/// competitor on that CPU, and freezes a random matching thread (one that is running, with `runningOnly`) for a
/// random short time at random instants — until `stop()`, which releases and restores everything.
///
/// The freeze loop runs on a thread of its own (timing to tens of µs; the ptrace calls themselves go through
/// `ThreadFreezer`'s tracer thread). Every 100 ms it looks at the node's threads again, so threads started
/// later, and a node restarted meanwhile (new pid), are perturbed too. If the controller dies, nothing is left
/// behind: the nodes die with it (PR_SET_PDEATHSIG, and with them their changed affinity and priority), the
/// kernel detaches the tracer's frozen threads, and the competitor is a thread of the controller.
final class JitterSession: Sendable {
    struct Counts: Sendable {
        var freezes = 0
        var failedFreezes = 0
        /// Freeze instants at which no matching thread ran within 10 ms.
        var idleInstants = 0
        var frozen: Duration = .zero
        var confined: Set<Int32> = []
        var lowered: Set<Int32> = []
    }

    let node: String
    let jitter: SchedulingJitter
    /// The breakpoints of `stop_at`, on a tracer thread of their own.
    let stops: CodeStops?
    private let pidOf: @Sendable () -> Int32?
    private let stopping = Atomic<Bool>(false)
    private let loopDone = DispatchSemaphore(value: 0)
    private let competitorDone = DispatchSemaphore(value: 0)
    private let counts = Mutex(Counts())
    /// Settings of every thread changed, as they were before, with the pid it belonged to.
    private let saved = Mutex<[Int32: (pid: Int32, settings: ThreadScheduling)]>([:])

    /// Applies the CPU and priority settings to the node's threads now (so a refusal fails the injection), then
    /// starts the freeze loop and the competitor.
    /// - Throws: `NemesisError` when the node is not running or the kernel refuses a change (reason and remedy);
    ///   whatever was changed before is restored first.
    static func start(_ jitter: SchedulingJitter, node: String, seed: UInt64,
                      pidOf: @escaping @Sendable () -> Int32?) throws(NemesisError) -> JitterSession {
        guard let pid = pidOf() else { throw .injectFailed("jitter: \(node) is not running") }
        let stops = try jitter.stopAt.map { pattern throws(NemesisError) in
            try CodeStops.start(jitter, pattern: pattern, node: node, seed: seed ^ 0x5354_4F50, pidOf: pidOf)
        }
        let session = JitterSession(node: node, jitter: jitter, stops: stops, pidOf: pidOf)
        do {
            try session.apply(pid: pid)
        } catch {
            _ = stops?.stop()
            session.restore()
            throw error
        }
        if jitter.competitor, let cpu = jitter.cpu {
            let done = session.competitorDone
            let flag = session
            let t = Thread {
                _ = cchaos_set_thread_name("chaos-compete")
                flag.compete(on: cpu, done: done)
            }
            t.name = "chaos-compete"
            t.start()
        } else {
            session.competitorDone.signal()
        }
        let t = Thread {
            _ = cchaos_set_thread_name("chaos-jitter")
            session.freezeLoop(seed: seed)
        }
        t.name = "chaos-jitter"
        t.start()
        return session
    }

    private init(node: String, jitter: SchedulingJitter, stops: CodeStops?, pidOf: @escaping @Sendable () -> Int32?) {
        self.node = node
        self.jitter = jitter
        self.stops = stops
        self.pidOf = pidOf
    }

    /// Stops the loop and the competitor, releases any frozen thread, restores every changed thread.
    /// - Returns: what was done, for the heal event.
    func stop() -> String {
        stopping.store(true, ordering: .releasing)
        loopDone.wait()
        competitorDone.wait()
        let stopped = stops?.stop()
        let failures = restore()
        return summary(stops: stopped) + (failures.isEmpty ? "" : "; could not restore: " + failures.joined(separator: ", "))
    }

    /// What the fault does, for the inject event.
    var description: String {
        var parts: [String] = []
        let c = counts.withLock { $0 }
        if let cpu = jitter.cpu { parts.append("\(c.confined.count) threads on CPU \(cpu)") }
        if let lower = jitter.lower {
            parts.append("\(c.lowered.count) threads matching '\(lower)' at \(Self.describe(jitter.priority))")
        }
        if jitter.competitor, let cpu = jitter.cpu { parts.append("busy competitor on CPU \(cpu)") }
        if jitter.freezes {
            parts.append("freezing \(jitter.runningOnly ? "running " : "")threads matching '\(jitter.threads)' at \(Units.formatRate(jitter.freezeRate)) "
                         + "for \(Units.format(jitter.minPause))–\(Units.format(jitter.maxPause))")
        }
        if let stops {
            parts.append("holding threads matching '\(jitter.threads)' for \(Units.format(jitter.minPause))–"
                         + "\(Units.format(jitter.maxPause)) at \(stops.description)"
                         + (jitter.stopChance < 1 ? " (\(Int((jitter.stopChance * 100).rounded())) % of passes)" : "")
                         + (jitter.stopOne ? ", one thread only" : ""))
        }
        return "\(node): " + parts.joined(separator: "; ")
    }

    /// Counts for the heal event: `n1: 5120 freezes (1.9s frozen, 0 failed), 11 threads on CPU 0, ...`.
    /// - Parameter stops: what the breakpoints did, once they are gone.
    func summary(stops: String? = nil) -> String {
        let c = counts.withLock { $0 }
        var parts: [String] = []
        if jitter.freezes {
            parts.append("\(c.freezes) freezes (\(Units.format(c.frozen)) frozen in all, \(c.failedFreezes) failed"
                         + (jitter.runningOnly ? ", \(c.idleInstants) instants with no matching thread running)" : ")"))
        }
        if jitter.cpu != nil { parts.append("\(c.confined.count) threads confined") }
        if jitter.lower != nil { parts.append("\(c.lowered.count) threads lowered") }
        if let stops { parts.append(stops) }
        return "\(node): " + (parts.isEmpty ? "nothing done" : parts.joined(separator: ", ")) + "; restored"
    }

    var freezeCount: Int { counts.withLock { $0.freezes } }

    static func describe(_ priority: SchedulingJitter.Priority) -> String {
        switch priority {
        case .idle: "SCHED_IDLE"
        case .nice(let value): "nice \(value)"
        }
    }

    // MARK: - Settings

    /// Confines and lowers the threads of `pid` not yet changed. - Returns: its threads.
    @discardableResult
    private func apply(pid: Int32) throws(NemesisError) -> [ThreadInfo] {
        let threads = ProcReader.threads(pid: pid)
        guard jitter.cpu != nil || jitter.lower != nil else { return threads }
        let lower = jitter.lower.flatMap { try? Regex($0) }
        for thread in threads where saved.withLock({ $0[thread.tid]?.pid != pid }) {
            guard let before = ThreadScheduling.read(thread.tid) else { continue }  // exited meanwhile
            saved.withLock { $0[thread.tid] = (pid, before) }
            if let cpu = jitter.cpu {
                try ThreadScheduling.confine(thread.tid, to: cpu)
                counts.withLock { _ = $0.confined.insert(thread.tid) }
            }
            if let lower, thread.name.contains(lower) {
                try ThreadScheduling.lower(thread.tid, to: jitter.priority)
                counts.withLock { _ = $0.lowered.insert(thread.tid) }
            }
        }
        return threads
    }

    /// Writes back the saved settings of every changed thread that still exists. - Returns: failures.
    @discardableResult
    private func restore() -> [String] {
        let entries = saved.withLock { s in
            defer { s.removeAll() }
            return s
        }
        var failures: [String] = []
        for (tid, entry) in entries.sorted(by: { $0.key < $1.key }) {
            // Only a thread of the same process: a tid of a node that died may have been reused.
            guard FileManager.default.fileExists(atPath: "/proc/\(entry.pid)/task/\(tid)") else { continue }
            if let code = entry.settings.restore(tid), code != ESRCH {
                failures.append("thread \(tid): \(String(cString: strerror(code)))")
            }
        }
        return failures
    }

    // MARK: - Threads of the session

    private func freezeLoop(seed: UInt64) {
        defer { loopDone.signal() }
        var rng = SeededGenerator(seed: seed)
        let pattern = try? Regex(jitter.threads)
        var candidates: [ThreadInfo] = []
        var pid: Int32 = -1
        var nextScan = ContinuousClock.now
        var nextFreeze = ContinuousClock.now + interval(&rng)
        while !stopping.load(ordering: .acquiring) {
            let now = ContinuousClock.now
            if now >= nextScan {
                nextScan = now + .milliseconds(100)
                if let current = pidOf() {
                    pid = current
                    let threads = (try? apply(pid: current)) ?? ProcReader.threads(pid: current)
                    candidates = threads.filter { thread in pattern.map { thread.name.contains($0) } ?? false }
                } else {
                    candidates = []
                }
            }
            if jitter.freezes, now >= nextFreeze {
                nextFreeze = now + interval(&rng)
                let pause = pauseLength(&rng)
                let thread = jitter.runningOnly ? running(among: candidates, of: pid, &rng)
                    : candidates.isEmpty ? nil : candidates[Int(rng.next(upperBound: UInt64(candidates.count)))]
                if let thread { freeze(thread, of: pid, for: pause) }
            }
            let wake = jitter.freezes ? min(nextScan, nextFreeze) : nextScan
            let wait = wake - ContinuousClock.now
            if wait > .zero { Self.sleep(min(wait, .milliseconds(20))) }
        }
    }

    /// A random one of `candidates` that is running or runnable (state R) now, waiting up to 10 ms for one.
    ///
    /// A freeze is aimed at an instant of a thread's *execution*: a race window is a stretch of code, and a
    /// freeze that lands while the thread sleeps in a wait stops it outside every window. Sampling only running
    /// threads makes the chance to land inside a window its share of the thread's CPU time, not of wall time.
    private func running(among candidates: [ThreadInfo], of pid: Int32, _ rng: inout SeededGenerator)
        -> ThreadInfo?
    {
        guard !candidates.isEmpty else { return nil }
        let deadline = ContinuousClock.now + .milliseconds(10)
        while !stopping.load(ordering: .relaxed) {
            let start = Int(rng.next(upperBound: UInt64(candidates.count)))
            for k in 0..<candidates.count {
                let thread = candidates[(start + k) % candidates.count]
                if Self.isRunning(pid: pid, tid: thread.tid) { return thread }
            }
            if ContinuousClock.now >= deadline {
                counts.withLock { $0.idleInstants += 1 }
                return nil
            }
            Self.sleep(.microseconds(20))
        }
        return nil
    }

    private func freeze(_ thread: ThreadInfo, of pid: Int32, for pause: Duration) {
        switch ThreadFreezer.shared.freezeBlocking(pid: pid, threads: [thread]) {
        case .success:
            let start = ContinuousClock.now
            Self.sleep(pause)
            ThreadFreezer.shared.releaseBlocking([thread.tid])
            let held = ContinuousClock.now - start
            counts.withLock {
                $0.freezes += 1
                $0.frozen += held
            }
        case .failure:
            // The thread exited (or its node was killed) between the listing and the freeze.
            ThreadFreezer.shared.releaseBlocking([thread.tid])
            counts.withLock { $0.failedFreezes += 1 }
        }
    }

    /// Time to the next freeze: exponential, so freezes form a Poisson process of the configured rate.
    private func interval(_ rng: inout SeededGenerator) -> Duration {
        guard jitter.freezes else { return .seconds(3600) }
        let u = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12)
        return .nanoseconds(Int64(-log(u) / jitter.freezeRate * 1e9))
    }

    private func pauseLength(_ rng: inout SeededGenerator) -> Duration {
        Self.pause(from: jitter.minPause, to: jitter.maxPause, &rng)
    }

    /// A uniformly random pause in `min...max` (freezes and holds at breakpoints alike).
    static func pause(from min: Duration, to max: Duration, _ rng: inout SeededGenerator) -> Duration {
        let lo = min.nanoseconds
        let hi = max.nanoseconds
        return .nanoseconds(lo + Int64(rng.next(upperBound: UInt64(Swift.max(1, hi - lo + 1)))))
    }

    private func compete(on cpu: Int, done: DispatchSemaphore) {
        defer { done.signal() }
        guard cchaos_set_affinity_one(0, Int32(cpu)) == 0 else { return }
        var spin: UInt64 = 0
        while !stopping.load(ordering: .relaxed) {
            for _ in 0..<100_000 { spin = spin &* 6_364_136_223_846_793_005 &+ 1 }
        }
        if spin == 42 { print("") }  // keeps the loop from being optimised away
    }

    /// Whether the thread is running or runnable: one open/read of its stat file into a stack buffer (this runs
    /// every 20 µs while a freeze instant waits for a running thread, so no Foundation strings).
    static func isRunning(pid: Int32, tid: Int32) -> Bool {
        let fd = "/proc/\(pid)/task/\(tid)/stat".withCString { open($0, O_RDONLY) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer in
            let n = read(fd, buffer.baseAddress, 512)
            guard n > 0 else { return false }
            // The state follows the last ')' (the name may contain one) and a space.
            var i = n - 1
            while i > 0 && buffer[i] != UInt8(ascii: ")") { i -= 1 }
            return i + 2 < n && buffer[i + 2] == UInt8(ascii: "R")
        }
    }

    static func sleep(_ duration: Duration) {
        var ts = timespec(tv_sec: Int(duration.components.seconds),
                          tv_nsec: Int(duration.components.attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&ts, &left) != 0 && errno == EINTR { ts = left }
    }
}
