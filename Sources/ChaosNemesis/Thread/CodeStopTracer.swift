import CChaosSys
import ChaosControl
import ChaosPlan
import Foundation

/// The state of one `stop_at` session's tracer thread: the process traced, its breakpoints and the threads held
/// at them. Every method runs on that one thread (ptrace ties a tracee to the thread that attached it).
struct CodeStopTracer {
    struct Settings: Sendable {
        /// The trap instruction's bytes.
        var trap: [UInt8]
        /// How far past a breakpoint the program counter stands when a thread stops on it.
        var pcOffset: UInt64
        /// A regular expression on thread names: the threads that may be held.
        var threads: String
        var chance: Double
        /// Hold one thread only: chosen when attaching (hardware breakpoints), else the first one held.
        var one: Bool
        var minPause: Duration
        var maxPause: Duration
    }

    let settings: Settings
    let functions: [ElfFunctions.Function]
    private let threads: Regex<AnyRegexOutput>?
    var rng: SeededGenerator

    var pid: Int32 = 0
    var mem: Int32 = -1
    /// Breakpoint address → the original bytes under the trap.
    var breakpoints: [UInt64: [UInt8]] = [:]
    var traced: Set<Int32> = []
    /// Threads held at a breakpoint, until when.
    var holding: [Int32: (address: UInt64, since: ContinuousClock.Instant, until: ContinuousClock.Instant)] = [:]
    /// Whether each traced thread may be held (its name matches), looked up once per thread.
    var holdable: [Int32: Bool] = [:]
    /// With `one`: the thread that was held first, the only one held from then on.
    var chosen: Int32?
    /// With `one`, where the machine has debug registers: one matching thread is chosen when the process is
    /// attached and it alone gets hardware breakpoints; no trap instruction is written. Its siblings then run the
    /// functions without stopping at all — a stop, however short, inside their own window would provoke the race
    /// in them too. (Seen with traps for all: the two replicators of a leader are woken by the same append and
    /// reach the registration within microseconds of each other, so the sibling stopped at the trap while the
    /// first was being held, and both were lost: the cluster stopped committing.)
    var hardware = false

    private(set) var hits = 0
    private(set) var held = 0
    private(set) var heldTime: Duration = .zero
    private(set) var threadsSeen = 0

    init(settings: Settings, functions: [ElfFunctions.Function], seed: UInt64) {
        self.settings = settings
        self.functions = functions
        threads = try? Regex(settings.threads)
        rng = SeededGenerator(seed: seed)
    }

    /// Whether the last process traced is gone (every thread reported its end).
    var isIdle: Bool { traced.isEmpty }

    // MARK: - Attaching

    /// Traces every thread of `pid`, then writes the breakpoints into its text.
    /// - Throws: `NemesisError` when ptrace or the write is refused (another tracer, no root) — nothing is left
    ///   attached or written then.
    mutating func attach(_ pid: Int32) -> Result<Void, NemesisError> {
        guard let (exe, base) = ElfFunctions.mapping(of: pid) else {
            return .failure(.injectFailed("stop_at: process \(pid) is gone"))
        }
        let elf: ElfFunctions
        do { elf = try ElfFunctions.read(path: exe) } catch { return .failure(error) }
        self.pid = pid
        breakpoints = [:]
        holding = [:]
        holdable = [:]
        chosen = nil
        hardware = false
        // Threads may start while we attach: list again until a pass finds none new. A thread started by one
        // already traced is traced by the kernel (PTRACE_O_TRACECLONE).
        var added = true
        while added {
            added = false
            for tid in ProcReader.threads(pid: pid).map(\.tid) where !traced.contains(tid) {
                if cchaos_ptrace_seize(tid, cchaos_ptrace_trace_threads()) == 0 {
                    traced.insert(tid)
                    threadsSeen += 1
                    added = true
                } else if errno != ESRCH {
                    let why = String(cString: strerror(errno))
                    detachAll()
                    return .failure(.injectFailed(
                        "stop_at: ptrace of thread \(tid) of pid \(pid) failed: \(why); a thread can have one tracer "
                            + "(no pause-thread or jitter freeze on this node at the same time); run as root"))
                }
            }
        }
        mem = "/proc/\(pid)/mem".withCString { open($0, O_RDWR | O_CLOEXEC) }
        guard mem >= 0 else {
            let why = String(cString: strerror(errno))
            detachAll()
            return .failure(.injectFailed("stop_at: cannot open /proc/\(pid)/mem for writing: \(why); run as root"))
        }
        let addresses = functions.map { elf.address(of: $0.value, base: base) }
        let armed = armChosen(addresses)
        for (function, address) in zip(functions, addresses) {
            var original = [UInt8](repeating: 0, count: settings.trap.count)
            guard pread(mem, &original, original.count, off_t(Int64(bitPattern: address))) == original.count,
                  armed || write(settings.trap, at: address) else {
                let why = String(cString: strerror(errno))
                detachAll()
                return .failure(.injectFailed("stop_at: cannot write a breakpoint at \(function.name) in pid \(pid): \(why)"))
            }
            breakpoints[address] = original
        }
        return .success(())
    }

    func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        pwrite(mem, bytes, bytes.count, off_t(Int64(bitPattern: address))) == bytes.count
    }

    // MARK: - Events

    /// Handles every stop reported so far. - Returns: whether there was any.
    mutating func handlePending() -> Bool {
        var any = false
        while true {
            let (tid, kind, sig) = wait(-1, block: false)
            guard tid > 0 else { return any }
            any = true
            handle(tid, kind: kind, sig: sig)
        }
    }

    /// The next event of a tracee (any: -1, or `who`). The exit of the process's leader thread is handed to the
    /// supervisor (`TracerReaped`): reaping it here took the process's exit status away from its parent thread.
    func wait(_ who: Int32, block: Bool) -> (tid: Int32, kind: cchaos_trace_event, sig: Int32) {
        var kind: Int32 = 0
        var sig: Int32 = 0
        var code: Int32 = 0
        var core: Int32 = 0
        let tid = cchaos_trace_wait(who, block ? 1 : 0, &kind, &sig, &code, &core)
        let event = cchaos_trace_event(rawValue: UInt32(kind))
        if tid > 0, tid == pid, event == CCHAOS_TRACE_EXITED {
            TracerReaped.record(tid, sig == 0 ? .exited(code) : .signaled(sig, coreDumped: core != 0))
        }
        return (tid, event, sig)
    }

    private mutating func handle(_ tid: Int32, kind: cchaos_trace_event, sig: Int32) {
        switch kind {
        case CCHAOS_TRACE_EXITED:
            forget(tid)
        case CCHAOS_TRACE_SIGNAL:
            if sig == SIGTRAP, let (address, byHardware) = breakpointHit(tid) {
                hit(tid, at: address, byHardware: byHardware)
            } else {
                _ = cchaos_ptrace_cont(tid, sig)
            }
        case CCHAOS_TRACE_GROUP_STOP:
            _ = cchaos_ptrace_listen(tid)
        case CCHAOS_TRACE_EXEC:
            // A new image has none of the breakpoints: nothing left to restore in it.
            breakpoints = [:]
            _ = cchaos_ptrace_cont(tid, 0)
        default:
            // An interrupt, a new thread's first stop, a clone event: the thread runs on.
            if traced.insert(tid).inserted { threadsSeen += 1 }
            _ = cchaos_ptrace_cont(tid, 0)
        }
    }

    mutating func forget(_ tid: Int32) {
        traced.remove(tid)
        holding.removeValue(forKey: tid)
        holdable.removeValue(forKey: tid)
        if traced.isEmpty, mem >= 0 {
            close(mem)
            mem = -1
        }
    }

    /// The breakpoint `tid` stopped at, if its SIGTRAP came from one (not from a thread sending SIGTRAP), and
    /// whether it was a hardware one (which stops before the instruction, the program counter at the address).
    func breakpointHit(_ tid: Int32) -> (UInt64, Bool)? {
        var pc: UInt64 = 0
        var code: Int32 = 0
        guard cchaos_ptrace_get_pc(tid, &pc) == 0, cchaos_ptrace_sigcode(tid, &code) == 0 else { return nil }
        if cchaos_is_hwbp_code(code) != 0 { return breakpoints[pc] != nil ? (pc, true) : nil }
        guard cchaos_is_breakpoint_code(code) != 0 else { return nil }
        let address = pc &- settings.pcOffset
        return breakpoints[address] != nil ? (address, false) : nil
    }

    private mutating func hit(_ tid: Int32, at address: UInt64, byHardware: Bool) {
        hits += 1
        if !byHardware { _ = cchaos_ptrace_set_pc(tid, address) }
        if mayHold(tid), settings.chance >= 1 || Double(rng.next() >> 11) / Double(1 << 53) < settings.chance {
            if settings.one, chosen == nil { chosen = tid }
            let now = ContinuousClock.now
            holding[tid] = (address, now, now + pause())
        } else {
            stepOver(tid, at: address)
        }
    }

    mutating func mayHold(_ tid: Int32) -> Bool {
        if settings.one, let chosen, chosen != tid { return false }
        if let known = holdable[tid] { return known }
        let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .newlines) ?? ""
        let matches = threads.map { name.contains($0) } ?? false
        holdable[tid] = matches
        return matches
    }

    private mutating func pause() -> Duration {
        JitterSession.pause(from: settings.minPause, to: settings.maxPause, &rng)
    }

    /// Releases the held threads whose pause is over.
    mutating func releaseDue() {
        guard !holding.isEmpty else { return }
        let now = ContinuousClock.now
        for (tid, hold) in holding where hold.until <= now {
            holding.removeValue(forKey: tid)
            held += 1
            heldTime += now - hold.since
            stepOver(tid, at: hold.address)
        }
    }

    /// Lets a thread stopped at `address` run its first instruction: the original back for one single step, the
    /// trap again after it. Signals that arrive meanwhile are delivered once it has stepped.
    private mutating func stepOver(_ tid: Int32, at address: UInt64) {
        guard !hardware, let original = breakpoints[address], mem >= 0 else {
            // A hardware breakpoint is passed by continuing (the kernel sets the resume flag).
            _ = cchaos_ptrace_cont(tid, 0)
            return
        }
        _ = write(original, at: address)
        var stepped = false
        defer { if !stepped, !hardware { _ = write(settings.trap, at: address) } }
        var pending: Int32 = 0
        guard cchaos_ptrace_singlestep(tid, 0) == 0 else { return }
        while true {
            let (stopped, kind, sig) = wait(tid, block: true)
            guard stopped == tid else { return }
            switch kind {
            case CCHAOS_TRACE_EXITED:
                forget(tid)
                return
            case CCHAOS_TRACE_SIGNAL where sig == SIGTRAP:
                stepped = true
                if !hardware { _ = write(settings.trap, at: address) }
                _ = cchaos_ptrace_cont(tid, pending)
                return
            case CCHAOS_TRACE_SIGNAL:
                pending = sig  // delivered after the step
            case CCHAOS_TRACE_GROUP_STOP:
                pending = sig  // stops again once it has stepped
            default:
                break
            }
            guard cchaos_ptrace_singlestep(tid, 0) == 0 else { return }
        }
    }
}
