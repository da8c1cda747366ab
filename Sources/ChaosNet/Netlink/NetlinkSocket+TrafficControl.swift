import CNetlink

/// Queueing disciplines, classes and filters (what `tc` does), through libnl.
extension NetlinkSocket {
    static let rootParent = cnl_tc_h_root()

    static func handle(_ major: UInt32, _ minor: UInt32) -> UInt32 { cnl_handle(major, minor) }

    /// Replaces the root qdisc of `link` with htb `major:` sending unclassified traffic to class `major:defaultMinor`.
    func replaceRootHTB(link: Int32, major: UInt32, defaultMinor: UInt32) throws(NetError) {
        try call("rtnl_qdisc_add", "install htb root qdisc on ifindex \(link)",
                 hint: "is sch_htb available? run 'chaos doctor'") {
            cnl_htb_root($0, link, Self.handle(major, 0), defaultMinor)
        }
    }

    /// Adds or changes an htb class; rates in bytes per second.
    func replaceHTBClass(link: Int32, parent: UInt32, classID: UInt32, rate: UInt64, ceil: UInt64) throws(NetError) {
        try call("rtnl_class_add", "set htb class \(Self.format(classID)) to \(rate) bytes/s") {
            cnl_htb_class($0, link, parent, classID, rate, ceil)
        }
    }

    /// Adds a u32 filter sending IPv4 packets for `destination` (network byte order) into `classID`.
    func addDestinationFilter(link: Int32, parent: UInt32, priority: UInt16, destination: UInt32,
                              classID: UInt32) throws(NetError) {
        try call("rtnl_cls_add", "add u32 filter to class \(Self.format(classID))",
                 hint: "is cls_u32 available? run 'chaos doctor'") {
            cnl_u32_dst($0, link, parent, priority, destination, classID)
        }
    }

    /// Adds or replaces a netem qdisc; "Object not found" means the kernel has no netem.
    func replaceNetem(link: Int32, parent: UInt32, handle: UInt32, _ parameters: cnl_netem_params,
                      distribution: [Int16]) throws(NetError) {
        do throws(NetError) {
            try distribution.withUnsafeBufferPointer { table throws(NetError) in
                var parameters = parameters
                parameters.distribution = table.baseAddress
                parameters.distribution_length = table.count
                try call("rtnl_qdisc_add", "install netem under \(Self.format(parent))") {
                    cnl_netem($0, link, parent, handle, &parameters)
                }
            }
        } catch where error.isObjectNotFound {
            throw .netemUnavailable("install netem under \(Self.format(parent)) in \(owner)")
        }
    }

    /// Adds or replaces a tbf qdisc: `rate` bytes/s, `bucket` bytes, at most `latencyMicros` of queue.
    func replaceTBF(link: Int32, parent: UInt32, handle: UInt32, rate: UInt32, bucket: UInt32,
                    latencyMicros: UInt32) throws(NetError) {
        try call("rtnl_qdisc_add", "install tbf under \(Self.format(parent))",
                 hint: "is sch_tbf available? run 'chaos doctor'") {
            cnl_tbf($0, link, parent, handle, rate, bucket, latencyMicros)
        }
    }

    /// Adds or replaces a 3-band prio qdisc.
    func replacePrio(link: Int32, parent: UInt32, handle: UInt32) throws(NetError) {
        try call("rtnl_qdisc_add", "install prio qdisc under \(Self.format(parent))") {
            cnl_prio($0, link, parent, handle)
        }
    }

    /// Adds or replaces a parameterless qdisc such as `pfifo` (never prio or htb: libnl needs their options).
    func replacePlainQdisc(link: Int32, parent: UInt32, handle: UInt32, kind: String) throws(NetError) {
        try call("rtnl_qdisc_add", "install \(kind) qdisc under \(Self.format(parent))") {
            cnl_qdisc_plain($0, link, parent, handle, kind)
        }
    }

    /// Deletes the qdisc attached at `parent`; none there counts as deleted, so heals are idempotent.
    func deleteQdisc(link: Int32, parent: UInt32) throws(NetError) {
        do {
            try call("rtnl_qdisc_delete", "delete the qdisc under \(Self.format(parent))") {
                cnl_qdisc_delete($0, link, parent)
            }
        } catch where error.isObjectNotFound || error.netlinkCode == Int32(NLE_INVAL) {
            return
        }
    }

    /// `1:10` style, as tc prints handles.
    static func format(_ handle: UInt32) -> String {
        handle == rootParent ? "root" : "\(String(handle >> 16, radix: 16)):\(String(handle & 0xffff, radix: 16))"
    }
}
