import CChaosSys
import CNetlink
import ChaosSupport

#if canImport(Glibc)
import Glibc
#endif

/// The one error type of ChaosNet: what failed, the value, the netlink or system call and its code, and what
/// to do.
///
/// Reads like `add blackhole route 10.77.0.12/32 in n1: rtnl_route_add failed: Object not found (libnl 12);
/// check that the lab is still up`.
public struct NetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What chaos was doing, naming the value involved.
    public var operation: String
    /// The libnl function or system call that failed, if the failure came from one.
    public var call: String?
    /// libnl's error code (positive), when `call` is a libnl function.
    public var netlinkCode: Int32?
    /// The errno, when `call` is a system call.
    public var errno: Int32?
    /// What the user can do about it.
    public var hint: String?

    public init(operation: String, call: String? = nil, netlinkCode: Int32? = nil, errno: Int32? = nil,
                hint: String? = nil) {
        self.operation = operation
        self.call = call
        self.netlinkCode = netlinkCode
        self.errno = errno
        self.hint = hint
    }

    /// True when netlink said "Object not found": for a qdisc, the kernel lacks that kind.
    public var isObjectNotFound: Bool { netlinkCode == cnl_err_obj_notfound() }

    /// The remedy-bearing error for a kernel without netem.
    static func netemUnavailable(_ operation: String) -> NetError {
        NetError(operation: operation, hint: "netem is not available in this kernel (CONFIG_NET_SCH_NETEM); "
                 + "load sch_netem or use mechanism: route")
    }

    public var description: String {
        var text = operation
        if let call {
            text += ": \(call) failed"
        }
        if let netlinkCode {
            text += ": \(String(cString: cnl_error(netlinkCode))) (libnl \(netlinkCode))"
        } else if let errno {
            text += ": \(String(cString: strerror(errno))) (\(String(cString: cchaos_errno_name(errno))))"
        }
        if let hint {
            text += "; \(hint)"
        }
        return text
    }
}

/// Runs a libnl-shaped `body` (negative libnl error code on failure) and throws a `NetError` naming `call`.
/// - Returns: the call's non-negative result.
@discardableResult
func netlinkCall(_ call: String, _ operation: @autoclosure () -> String, hint: String? = nil,
                 _ body: () -> Int32) throws(NetError) -> Int32 {
    let result = body()
    if result < 0 {
        throw NetError(operation: operation(), call: call, netlinkCode: -result, hint: hint)
    }
    return result
}

/// Runs a syscall-shaped `body` (-1 and errno on failure), retrying EINTR; throws a `NetError` naming `call`.
@discardableResult
func systemCall(_ call: String, _ operation: @autoclosure () -> String, hint: String? = nil,
                _ body: () -> Int32) throws(NetError) -> Int32 {
    try retryingInterrupts(body) { NetError(operation: operation(), call: call, errno: $0, hint: hint) }
}
