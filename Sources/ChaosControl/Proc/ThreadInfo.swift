/// One thread of a process, as /proc shows it.
public struct ThreadInfo: Sendable, Hashable {
    /// The kernel thread id (the target for `tgkill` and `PTRACE_SEIZE`).
    public let tid: Int32
    /// The thread name from `/proc/PID/task/TID/comm` (at most 15 bytes, set with pthread_setname_np).
    public let name: String
    /// The scheduler state from `stat`: `R` running, `S` sleeping, `D` disk wait, `T` stopped,
    /// `t` tracing stop, `Z` zombie, …
    public let state: Character

    public init(tid: Int32, name: String, state: Character) {
        self.tid = tid
        self.name = name
        self.state = state
    }
}
