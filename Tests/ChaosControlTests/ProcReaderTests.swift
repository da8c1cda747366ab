import CChaosSys
import Foundation
import Synchronization
import Testing
@testable import ChaosControl

/// /proc readings against the test process itself and a sleeping child.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProcReaderTests {
    @Test("rss and open fds of this process are positive")
    func ownProcess() {
        let pid = getpid()
        let rss = ProcReader.rssBytes(pid: pid)
        #expect((rss ?? 0) > 1 << 20, "rss \(String(describing: rss))")
        // Other suites open and close fds concurrently, so only a lower bound holds for this process.
        let extra = (0..<64).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { extra.forEach { close($0) } }
        #expect(extra.allSatisfy { $0 >= 0 })
        #expect((ProcReader.openFDs(pid: pid) ?? 0) >= 64 + 3)
    }

    @Test("a spawned child has exactly stdin, stdout and stderr open")
    func childFDs() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(scratch.sleeper())
        // Right after exec the dynamic loader may still hold a library open; the count settles at 3.
        var fds = ProcReader.openFDs(pid: child.pid)
        for _ in 0..<100 where fds != 3 {
            try await Task.sleep(for: .milliseconds(10))
            fds = ProcReader.openFDs(pid: child.pid)
        }
        #expect(fds == 3)
        #expect((ProcReader.rssBytes(pid: child.pid) ?? 0) > 0)
        await supervisor.killAll()
    }

    @Test("a thread named with pthread_setname_np is listed with its tid and state")
    func namedThread() async throws {
        _ = Supervisor() // starts the one process-wide spawner thread (if no other test did)
        let tid = Mutex<pid_t>(0)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            _ = cchaos_set_thread_name("chaos-writer")
            tid.withLock { $0 = cchaos_gettid() }
            started.signal()
            release.wait()
        }
        thread.start()
        started.wait()
        defer { release.signal() }
        let threads = ProcReader.threads(pid: getpid())
        let named = ProcReader.threads(pid: getpid(), named: "chaos-writer")
        #expect(named.map(\.tid) == [tid.withLock { $0 }])
        // It signalled `started` just before blocking on `release`: give it a moment to get there.
        var state = named.first?.state
        for _ in 0..<200 where state != "S" {
            try await Task.sleep(for: .milliseconds(5))
            state = ProcReader.threads(pid: getpid(), named: "chaos-writer").first?.state
        }
        #expect(state == "S", "blocked on a semaphore, so sleeping")
        #expect(threads.filter { $0.name == "chaos-spawner" }.count == 1, "one spawner thread for all supervisors")
        #expect(threads.contains { $0.tid == getpid() }, "the main thread is a task too")
        // Not `== threads.count`: the Swift runtime may start pool threads between the two readings.
        #expect((ProcReader.threadCount(pid: getpid()) ?? 0) >= 3, "main, spawner and the named thread at least")
    }

    @Test("a sleeping child: one thread named after its command, stopped by SIGSTOP")
    func childThreads() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(scratch.sleeper())
        let threads = ProcReader.threads(pid: child.pid)
        #expect(threads.map(\.name) == ["sleep"])
        #expect(threads.map(\.tid) == [child.pid])
        #expect(ProcReader.threadCount(pid: child.pid) == 1)
        try supervisor.signal(child, SIGSTOP)
        var state = ProcReader.state(pid: child.pid)
        for _ in 0..<200 where state != "T" {
            try await Task.sleep(for: .milliseconds(5))
            state = ProcReader.state(pid: child.pid)
        }
        #expect(state == "T")
        #expect(ProcReader.threads(pid: child.pid).first?.state == "T")
        #expect(ProcReader.parentPID(pid: child.pid) == getpid())
        await supervisor.killAll()
    }

    @Test("a pid that does not exist reads as nothing")
    func missingProcess() {
        let pid = Int32.max // above any pid_max
        #expect(ProcReader.rssBytes(pid: pid) == nil)
        #expect(ProcReader.openFDs(pid: pid) == nil)
        #expect(ProcReader.threadCount(pid: pid) == nil)
        #expect(ProcReader.threads(pid: pid).isEmpty)
        #expect(ProcReader.state(pid: pid) == nil)
    }

    @Test("stat parsing copes with names holding spaces and parentheses", arguments: [
        ("1234 (sleep) S 1 1234 1234 0 -1", "S"),
        ("1234 (a) b) R 1 2 3", "R"),
        ("99 (raft node (w)) t 1 2 3", "t"),
        ("garbage", nil),
    ] as [(String, Character?)])
    func statParsing(stat: String, state: Character?) {
        #expect(ProcReader.state(fromStat: stat) == state)
    }

    @Test("memory and threads from one read agree with the separate readings")
    func memoryAndThreads() {
        let pid = getpid()
        let both = ProcReader.memoryAndThreads(pid: pid)
        #expect((both.rssBytes ?? 0) > 1 << 20)
        // The count itself may change between two reads (the test runner's threads come and go).
        #expect((both.threads ?? 0) >= 1 && ProcReader.threadCount(pid: pid) != nil)
        let gone = ProcReader.memoryAndThreads(pid: Int32.max)
        #expect(gone.rssBytes == nil && gone.threads == nil)
    }
}
