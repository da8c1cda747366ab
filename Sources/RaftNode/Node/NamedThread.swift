import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a thread whose kernel name (`/proc/PID/task/TID/comm`) is `name`, so chaos can find and freeze
/// it; names longer than 15 bytes are cut by the kernel.
func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) -> Thread {
    let t = Thread {
        #if os(Linux)
        // pthread_setname_np is a GNU extension Swift's Glibc module does not export; writing the
        // calling thread's comm file does the same thing.
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        #endif
        body()
    }
    t.name = name
    t.start()
    return t
}

/// A FIFO handed from producers to one consumer thread that takes everything queued at once.
final class WorkQueue<Item: Sendable>: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [Item] = []
    private var closed = false

    func push(_ item: Item) {
        cond.lock()
        items.append(item)
        cond.signal()
        cond.unlock()
    }

    /// Blocks until items are queued; nil once closed and drained.
    func takeAll() -> [Item]? {
        cond.lock()
        defer { cond.unlock() }
        while items.isEmpty && !closed { cond.wait() }
        if items.isEmpty { return nil }
        let out = items
        items.removeAll(keepingCapacity: true)
        return out
    }

    /// Lets the consumer finish what is queued and then stop.
    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }
}
