import ChaosControl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One network namespace of the lab, kept alive by a holder process so nodes can die and restart into it.
///
/// The holder is `sleep infinity` spawned by the supervisor with PR_SET_PDEATHSIG = SIGKILL: it dies with the
/// controller, and with it the namespace (chaos never names namespaces under /run/netns, so nothing is left).
final class NetworkNamespace: Sendable {
    /// "lab" or the node's name.
    let name: String
    let holder: ChildProcess
    /// An open fd on the namespace, for `setns` and for moving veth peers into it.
    let fd: Int32
    /// A netlink socket opened inside the namespace: every later change goes through it without `setns`.
    let netlink: NetlinkSocket

    /// `/proc/HOLDER/ns/net`, for `ProcessSpec.networkNamespacePath`.
    var path: String { "/proc/\(holder.pid)/ns/net" }

    /// Creates a namespace, starts its holder and opens a netlink socket in it.
    init(name: String, supervisor: Supervisor) throws(NetError) {
        let thread = NamespaceThread.shared
        let fd = try thread.makeNamespace(name)
        let holder: ChildProcess
        do {
            let sleep = FileManager.default.isExecutableFile(atPath: "/usr/bin/sleep") ? "/usr/bin/sleep" : "/bin/sleep"
            holder = try supervisor.spawn(ProcessSpec(
                executable: sleep, arguments: ["infinity"], environment: [:], stdoutPath: "/dev/null",
                stderrPath: "/dev/null", networkNamespacePath: "/proc/self/fd/\(fd)", parentDeathSignal: SIGKILL))
        } catch {
            Glibc.close(fd)
            throw NetError(operation: "start the holder process of namespace \(name)",
                           hint: "\(error); is 'sleep' (coreutils) installed?")
        }
        do {
            netlink = try thread.perform(in: fd, name) { () throws(NetError) in try NetlinkSocket(owner: name) }
        } catch {
            _ = try? supervisor.signal(holder, SIGKILL)
            Glibc.close(fd)
            throw error
        }
        self.name = name
        self.fd = fd
        self.holder = holder
    }

    /// Runs `body` on the namespace thread inside this namespace.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws(NetError) -> T) throws(NetError) -> T {
        try NamespaceThread.shared.perform(in: fd, name, body)
    }

    /// Kills the holder and drops every reference chaos holds, so the kernel frees the namespace.
    func close(supervisor: Supervisor) {
        netlink.close()
        _ = try? supervisor.signal(holder, SIGKILL)
        Glibc.close(fd)
    }
}
