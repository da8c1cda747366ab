import CChaosSys
import ChaosControl
import Foundation

/// The two places where a `stop_at` session touches threads as a whole rather than one stop at a time: choosing
/// the one thread of `stop_one` and arming its debug registers, and letting every thread go at heal.
extension CodeStopTracer {
    /// With `one`: chooses one matching thread now and gives it hardware breakpoints at `addresses` (stopping it
    /// for a moment to set its debug registers). - Returns: false when there is no matching thread yet, the machine
    /// has too few debug registers, or the kernel refuses; the caller then writes trap instructions instead.
    mutating func armChosen(_ addresses: [UInt64]) -> Bool {
        guard settings.one, addresses.count <= Int(cchaos_hwbp_slots()) else { return false }
        let candidates = traced.sorted().filter { mayHold($0) }
        guard !candidates.isEmpty else { return false }
        let tid = candidates[Int(rng.next(upperBound: UInt64(candidates.count)))]
        guard cchaos_ptrace_interrupt(tid) == 0 else { return false }
        while true {
            let (stopped, kind, sig) = wait(tid, block: true)
            guard stopped == tid else { return false }
            switch kind {
            case CCHAOS_TRACE_EXITED:
                forget(tid)
                return false
            case CCHAOS_TRACE_EVENT_STOP, CCHAOS_TRACE_SIGNAL, CCHAOS_TRACE_GROUP_STOP:
                let armed = cchaos_hwbp_set(tid, addresses, Int32(addresses.count)) == 0
                // Let it go on as it was: a signal it was about to get is delivered, a group-stop kept. A signal
                // stop first means the interrupt's own stop is still to come; the event loop continues it.
                switch kind {
                case CCHAOS_TRACE_SIGNAL: _ = cchaos_ptrace_cont(tid, sig)
                case CCHAOS_TRACE_GROUP_STOP: _ = cchaos_ptrace_listen(tid)
                default: _ = cchaos_ptrace_cont(tid, 0)
                }
                guard armed else { return false }
                chosen = tid
                hardware = true
                return true
            default:
                _ = cchaos_ptrace_cont(tid, 0)
            }
        }
    }

    // MARK: - Heal

    /// Puts every original instruction back, then stops and detaches every traced thread; a thread stopped at a
    /// breakpoint is detached at the breakpoint's address, so the original instruction is what it runs next.
    mutating func detachAll() {
        if mem >= 0 {
            for (address, original) in breakpoints { _ = write(original, at: address) }
        }
        for (tid, _) in holding {
            if hardware, tid == chosen { _ = cchaos_hwbp_set(tid, nil, 0) }
            if cchaos_ptrace_detach(tid, 0) == 0 { traced.remove(tid) }
        }
        holding = [:]
        for tid in traced { _ = cchaos_ptrace_interrupt(tid) }
        // Every thread now reports one stop (the interrupt, or a signal or breakpoint trap that came first); a
        // thread started meanwhile reports its first stop. Detach each at whatever stop it reports.
        let deadline = ContinuousClock.now + .seconds(2)
        var quietSince: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            let (tid, kind, sig) = wait(-1, block: false)
            if tid < 0 { break }  // ECHILD: no tracee left
            if tid == 0 {
                // Done once nothing known is left and nothing new showed up for a few milliseconds.
                if traced.isEmpty {
                    let now = ContinuousClock.now
                    if let since = quietSince, now - since > .milliseconds(5) { break }
                    quietSince = quietSince ?? now
                }
                JitterSession.sleep(.microseconds(50))
                continue
            }
            quietSince = nil
            traced.remove(tid)
            // The chosen thread's debug registers are cleared before it goes: a breakpoint left in a thread
            // nobody traces would kill its process with SIGTRAP.
            if hardware, tid == chosen, kind != CCHAOS_TRACE_EXITED { _ = cchaos_hwbp_set(tid, nil, 0) }
            switch kind {
            case CCHAOS_TRACE_EXITED:
                continue
            case CCHAOS_TRACE_SIGNAL:
                if sig == SIGTRAP, let (address, byHardware) = breakpointHit(tid) {
                    if !byHardware { _ = cchaos_ptrace_set_pc(tid, address) }
                    _ = cchaos_ptrace_detach(tid, 0)
                } else {
                    _ = cchaos_ptrace_detach(tid, sig)
                }
            default:
                _ = cchaos_ptrace_detach(tid, 0)
            }
        }
        traced = []
        holdable = [:]
        if mem >= 0 {
            close(mem)
            mem = -1
        }
    }
}
