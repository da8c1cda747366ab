import CNetlink
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One rtnetlink socket (libnl `nl_sock`), bound for life to the network namespace it was opened in.
///
/// libnl sockets are not thread-safe, so every call takes the lock; a call returns once the kernel has
/// acknowledged the change (libnl waits for the ACK), which is what "applied" means for the latency figures.
final class NetlinkSocket: Sendable {
    /// The namespace this socket talks to, for error messages ("n1", "lab").
    let owner: String
    private struct Handle: @unchecked Sendable { var pointer: OpaquePointer? }
    private let handle: Mutex<Handle>

    /// Opens a socket in the calling thread's current network namespace.
    init(owner: String) throws(NetError) {
        var err: Int32 = 0
        let pointer = cnl_socket_open(&err)
        guard let pointer else {
            throw NetError(operation: "open a netlink socket in \(owner)", call: "nl_connect", netlinkCode: -err,
                           hint: "chaos needs root or CAP_NET_ADMIN")
        }
        self.owner = owner
        self.handle = Mutex(Handle(pointer: pointer))
    }

    deinit { close() }

    /// Releases the socket; later calls fail. The namespace it held may disappear afterwards.
    func close() {
        handle.withLock {
            cnl_socket_close($0.pointer)
            $0.pointer = nil
        }
    }

    /// Runs `body` with the libnl socket under the lock, throwing a `NetError` for a negative result.
    @discardableResult
    func call(_ function: String, _ operation: @autoclosure () -> String, hint: String? = nil,
              _ body: (OpaquePointer) -> Int32) throws(NetError) -> Int32 {
        let result: Int32 = handle.withLock { handle in
            guard let pointer = handle.pointer else { return -Int32(NLE_BAD_SOCK) }
            return body(pointer)
        }
        return try netlinkCall(function, "\(operation()) in \(owner)", hint: hint) { result }
    }

    // MARK: - Links

    func linkIndex(_ name: String) throws(NetError) -> Int32 {
        try call("rtnl_link_get_kernel", "look up link '\(name)'") { cnl_link_index($0, name) }
    }

    func addVeth(_ name: String, peer: String, peerNamespaceFD: Int32) throws(NetError) {
        try call("rtnl_link_add", "create veth pair '\(name)' <-> '\(peer)'",
                 hint: "is the veth driver available? run 'chaos doctor'") {
            cnl_veth_add($0, name, peer, peerNamespaceFD)
        }
    }

    func addBridge(_ name: String) throws(NetError) {
        try call("rtnl_link_bridge_add", "create bridge '\(name)'",
                 hint: "is the bridge driver available? run 'chaos doctor'") { cnl_bridge_add($0, name) }
    }

    /// Brings link `name` up (and attaches it to `master` when given).
    func setUp(_ name: String, master: Int32 = 0) throws(NetError) {
        try call("rtnl_link_change", "bring link '\(name)' up") { cnl_link_change($0, name, 1, master) }
    }

    /// Waits until link `name` is operationally up (carrier on), polling every millisecond up to `timeout`.
    ///
    /// The kernel raises a fresh veth's carrier through its link-watch work, up to a second later; packets
    /// sent before that are dropped, so the lab is not ready until every link is up.
    func waitUntilUp(_ name: String, timeout: Duration = .seconds(3)) throws(NetError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let state = try call("rtnl_link_get_kernel", "read the state of link '\(name)'") {
                cnl_link_operstate($0, name)
            }
            if state == 6 { return }  // IF_OPER_UP
            if ContinuousClock.now >= deadline {
                throw NetError(operation: "wait for link '\(name)' in \(owner) to come up",
                               hint: "its operational state is still \(state) after \(timeout)")
            }
            usleep(1_000)
        }
    }

    func addAddress(_ cidr: String, link: Int32) throws(NetError) {
        try call("rtnl_addr_add", "add address \(cidr)") { cnl_addr_add($0, link, cidr) }
    }

    // MARK: - Routes

    /// The route type that cuts a link: `unreachable`, not `blackhole`. A blackhole makes TCP report EINVAL
    /// (the kernel's error for that route type) once the connection times out, and SwiftNIO treats EINVAL
    /// from read(2) as a programming error and traps, so a partition would crash NIO-based nodes. Unreachable
    /// drops the same packets but reports EHOSTUNREACH, an error every network stack expects.
    static let cutRouteType = Int32(RTN_UNREACHABLE)

    /// Adds (or replaces) a route that drops everything to `destination` ("10.77.0.12/32").
    func addBlackhole(_ destination: String) throws(NetError) {
        try call("rtnl_route_add", "add unreachable route \(destination)") {
            cnl_route_special($0, destination, Self.cutRouteType, 1)
        }
    }

    /// Deletes the unreachable route to `destination`; one that is already gone counts as deleted, so heals
    /// are idempotent.
    func deleteBlackhole(_ destination: String) throws(NetError) {
        do {
            try call("rtnl_route_delete", "delete unreachable route \(destination)") {
                cnl_route_special($0, destination, Self.cutRouteType, 0)
            }
        } catch where error.isObjectNotFound {
            return
        }
    }
}
