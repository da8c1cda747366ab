/// Test-only bugs, switched on with `raft-node --bug NAME`. They exist to prove that chaos provokes and catches
/// each class of real bug it was built for; each is one condition in the place the real bug lived. All are off
/// unless named, and a node with none is a correct Raft.
public enum Bug: String, Sendable, Hashable, CaseIterable {
    /// braft#473: a follower's replicator thread checks whether the log grew and registers to be woken as two
    /// steps, not under one lock (`LogWaitTable`). An append published and announced between them is never
    /// announced to it again: heartbeats go on, so the follower looks healthy but its index stops moving. A race
    /// between real threads (the replicator and the core loop appending); no counter or timer. Caught by the lag
    /// checker as a stall outside any fault window.
    case lostWakeup = "lost-wakeup"
    /// braft#454: entries sent again to a follower (the retry path, after it fell behind or rejected an append)
    /// are retained forever, so memory grows with traffic, faster when a follower lags. Caught by the leak checker.
    case leakOnRetry = "leak-on-retry"
    /// A follower checks AppendEntries by index only, never by term: it skips the prevLogTerm check and keeps
    /// an entry it already holds at an index whatever its term, so an old leader's uncommitted tail survives
    /// under the new leader's entries. Caught by the divergence checker (and often linearizability).
    case skipPrevCheck = "skip-prev-check"
    /// TiKV#17868: a follower asserts that a truncation never reaches entries it has not persisted yet — stale
    /// once its writer can be frozen: an isolated leader with a frozen writer that rejoins and is sent the new
    /// leader's entries over its unpersisted tail panics. Caught by the crash checker.
    case resendAssert = "resend-assert"
    /// CubeFS#3128: on SIGTERM the WAL's file and write buffer are released before the writer is stopped. If
    /// the writer is encoding a batch into the buffer at that instant it writes to unmapped memory and the node
    /// dies by SIGSEGV; otherwise it notices the closed WAL and shutdown ends cleanly. A race between the signal
    /// handling thread and `raft-writer`, so a SIGTERM under load only sometimes hits it. Caught by the crash
    /// checker as a crash on shutdown.
    case unsafeShutdown = "unsafe-shutdown"
    /// Restate#2885: a node that loses its leader holds client requests until it sees a new term, expecting
    /// the election that usually follows. A follower cut off and healed hears the same leader again in the same
    /// term (pre-vote kept everyone's term), so the wake-up never comes and every request sent to it hangs while
    /// the rest of the cluster serves. Caught by the liveness checker as operations that never complete after
    /// the last heal.
    case waitNewTerm = "wait-new-term"
    /// The class behind many lost-write reports: the writer reports a group durable (so the leader counts it,
    /// followers acknowledge it and clients get their answer) as soon as it is written, before the WAL fsync
    /// returns. Harmless while the kernel keeps the page cache; a power failure of a majority loses acknowledged
    /// writes. Caught by linearizability (and divergence) under `power-failure` on `disk: cached`.
    case ackBeforeFsync = "ack-before-fsync"
    /// Restate#2885 with a real reconfiguration: adding a node takes two halves (add it as a learner, promote it
    /// once caught up), and client appends wait while a learner is in the configuration — the reconfiguration
    /// is "sealed" until the second half lands. Only the leader that made the first half remembers to make the
    /// second; a leader elected in between (the first one isolated or killed mid-change) never promotes the
    /// learner, so the change stays half done and every append waits on it forever — as does every further
    /// membership change, since the configuration stays sealed until the promotion. Caught by the liveness
    /// checker; provoked by a membership change while the leader is isolated or killed.
    case halfReconfig = "half-reconfig"
}
