import CChaosSys
import ChaosSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one pthread on which chaos enters network namespaces.
///
/// `setns` and `unshare(CLONE_NEWNET)` change only the calling thread, and Swift tasks hop threads, so every
/// namespace switch happens here: the thread enters a namespace, runs a short job (open a netlink socket,
/// create a client socket), and returns to the namespace it started in before taking the next job. Sockets
/// keep the namespace they were created in, so the work after that can run on any thread.
final class NamespaceThread: Sendable {
    /// Shared by every lab in the process.
    static let shared = NamespaceThread()

    /// The thread's own network namespace (the controller's), opened on the thread itself.
    private final class Home: Sendable {
        let fd = Mutex<Int32>(-1)
    }
    private let home: Home
    private let thread: DedicatedThread

    private init() {
        let home = Home()
        self.home = home
        thread = DedicatedThread(name: "chaos-netns", setUp: {
            home.fd.withLock { $0 = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC) }
        })
    }

    /// Runs `body` on the thread, in the controller's namespace, and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws(NetError) -> T) throws(NetError) -> T {
        try thread.perform(body)
    }

    /// Runs `body` on the thread inside the namespace behind `namespaceFD`, then returns to the home namespace
    /// (or, for a call nested in another namespace job, to the namespace that job was in).
    func perform<T: Sendable>(in namespaceFD: Int32, _ what: String,
                              _ body: @escaping @Sendable () throws(NetError) -> T) throws(NetError) -> T {
        if isCurrent {
            let outer = try systemCall("open", "remember the current network namespace") {
                open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            }
            defer { close(outer) }
            try systemCall("setns", "enter the network namespace of \(what)",
                           hint: "check that its holder process is alive") { cchaos_setns(namespaceFD, 0) }
            defer { precondition(cchaos_setns(outer, 0) == 0, "chaos could not leave the namespace of \(what)") }
            return try body()
        }
        return try perform { [self] () throws(NetError) -> T in
            try systemCall("setns", "enter the network namespace of \(what)",
                           hint: "check that its holder process is alive") { cchaos_setns(namespaceFD, 0) }
            defer { returnHome() }
            return try body()
        }
    }

    /// Creates a fresh network namespace and returns an fd for it; the thread stays in its home namespace.
    func makeNamespace(_ what: String) throws(NetError) -> Int32 {
        try perform { [self] () throws(NetError) -> Int32 in
            try systemCall("unshare", "create a network namespace for \(what)",
                           hint: "chaos needs root or CAP_SYS_ADMIN; run 'chaos doctor'") {
                cchaos_unshare(cchaos_clone_newnet())
            }
            defer { returnHome() }
            return try systemCall("open", "open the new network namespace of \(what)") {
                open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            }
        }
    }

    /// Runs `body` on the thread inside a throw-away namespace that disappears when `body` returns.
    func performInScratchNamespace<T: Sendable>(
        _ body: @escaping @Sendable () throws(NetError) -> T
    ) throws(NetError) -> T {
        try perform { [self] () throws(NetError) -> T in
            try systemCall("unshare", "create a scratch network namespace",
                           hint: "chaos needs root or CAP_SYS_ADMIN") { cchaos_unshare(cchaos_clone_newnet()) }
            defer { returnHome() }
            return try body()
        }
    }

    /// True on the namespace thread itself.
    private var isCurrent: Bool { thread.isCurrent }

    /// Back to the controller's namespace. If even that fails the thread is unusable for chaos, so stop
    /// loudly rather than create sockets in the wrong namespace.
    private func returnHome() {
        let fd = home.fd.withLock { $0 }
        precondition(fd >= 0 && cchaos_setns(fd, 0) == 0,
                     "chaos could not return its namespace thread home: \(String(cString: strerror(errno)))")
    }
}
