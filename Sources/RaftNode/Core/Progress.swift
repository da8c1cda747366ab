/// What a leader knows about one follower's log, and how it is currently replicating to it.
struct Progress {
    enum State {
        /// Unknown match: send one append at a time and wait for the answer.
        case probe
        /// Known match: stream appends without waiting, up to the in-flight limit.
        case replicate
        /// A snapshot of `index` is on its way; wait for it to land.
        case snapshot(index: UInt64, sentAt: Int)
    }

    var match: UInt64 = 0
    var next: UInt64
    var state: State = .probe
    /// In probe state: an append is outstanding, do not send another until the follower answers.
    var paused = false
    /// In probe state: the tick the outstanding append went out at.
    var probeSentAt = Int.min / 2
    /// Last index of each append sent in replicate state and not acknowledged yet.
    var inflight: [UInt64] = []
    /// The highest index ever sent to this follower; sending at or below it again is a retry.
    var highestSent: UInt64 = 0
    /// The follower answered something since the last quorum check.
    var recentActive = true
    /// The highest ReadIndex round the follower has acknowledged.
    var readRound: UInt64 = 0
    /// `match` as it was at the previous heartbeat answer; unchanged while behind means a lost append.
    var matchAtLastHeartbeat: UInt64 = 0
    /// Heartbeat answers in a row that showed no progress while behind.
    var stalledHeartbeats = 0

    init(next: UInt64) {
        self.next = next
    }

    mutating func becomeProbe() {
        state = .probe
        stalledHeartbeats = 0
        paused = false
        inflight.removeAll()
        next = max(next, match + 1)
    }

    mutating func becomeReplicate() {
        state = .replicate
        paused = false
        inflight.removeAll()
        next = match + 1
    }

    /// Forgets the in-flight appends the follower has now acknowledged.
    mutating func acknowledge(through index: UInt64) {
        var n = 0
        while n < inflight.count, inflight[n] <= index { n += 1 }
        if n > 0 { inflight.removeFirst(n) }
    }
}
