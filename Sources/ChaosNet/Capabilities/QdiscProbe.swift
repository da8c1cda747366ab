import CNetlink

/// Asks the kernel whether it has a qdisc kind by installing one in a throw-away namespace.
enum QdiscProbe {
    /// True when a `kind` root qdisc can be installed on `lo` of a scratch namespace; false when netlink says
    /// "Object not found" (the kernel lacks the kind).
    /// - Throws: `NetError` for any other failure (no privileges, no netns).
    static func available(_ kind: String) throws(NetError) -> Bool {
        try NamespaceThread.shared.performInScratchNamespace { () throws(NetError) -> Bool in
            let netlink = try NetlinkSocket(owner: "a scratch namespace")
            defer { netlink.close() }
            let lo = try netlink.linkIndex("lo")
            do throws(NetError) {
                switch kind {
                case "netem":
                    try netlink.replaceNetem(link: lo, parent: NetlinkSocket.rootParent,
                                             handle: NetlinkSocket.handle(1, 0), NetemSpec(delay: .milliseconds(1))
                                                .parameters(), distribution: [])
                case "htb":
                    try netlink.replaceRootHTB(link: lo, major: 1, defaultMinor: 1)
                case "tbf":
                    try netlink.replaceTBF(link: lo, parent: NetlinkSocket.rootParent,
                                           handle: NetlinkSocket.handle(1, 0), rate: 125_000, bucket: 10_000,
                                           latencyMicros: 50_000)
                case "prio":
                    try netlink.replacePrio(link: lo, parent: NetlinkSocket.rootParent,
                                            handle: NetlinkSocket.handle(1, 0))
                default:
                    try netlink.replacePlainQdisc(link: lo, parent: NetlinkSocket.rootParent,
                                                  handle: NetlinkSocket.handle(1, 0), kind: kind)
                }
                return true
            } catch where error.isObjectNotFound || error.hint?.contains("CONFIG_NET_SCH_NETEM") == true {
                return false
            }
        }
    }
}
