/// The kernel half of `Capabilities.probe()`: tries each network feature for real, in a scratch namespace.
enum KernelProbe {
    typealias Entry = Capabilities.Entry

    /// netns first; everything else only when a namespace can be made.
    static func run() -> [Entry] {
        do {
            return try NamespaceThread.shared.performInScratchNamespace { () throws(NetError) -> [Entry] in
                let netlink = try NetlinkSocket(owner: "a scratch namespace")
                defer { netlink.close() }
                return [Entry(name: "netns", available: true, detail: "created a network namespace", remedy: nil)]
                    + probeLinks(netlink)
            } + qdiscs()
        } catch {
            return [Entry(name: "netns", available: false, detail: error.description,
                          remedy: "chaos needs network namespaces (CONFIG_NET_NS) and root or CAP_SYS_ADMIN; "
                              + "otherwise use network: loopback (no network faults)")]
        }
    }

    private static func probeLinks(_ netlink: NetlinkSocket) -> [Entry] {
        var entries: [Entry] = []
        entries.append(attempt("veth", remedy: "load the veth module (CONFIG_VETH)") { () throws(NetError) in
            try netlink.addVeth("probe0", peer: "probe1", peerNamespaceFD: -1)
        })
        entries.append(attempt("bridge", remedy: "load the bridge module (CONFIG_BRIDGE)") { () throws(NetError) in
            try netlink.addBridge("probebr0")
        })
        entries.append(attempt("u32", remedy: "load cls_u32 (CONFIG_NET_CLS_U32); per-link faults need it") {
            () throws(NetError) in
            let link = try netlink.linkIndex("probe0")
            try netlink.replaceRootHTB(link: link, major: 1, defaultMinor: 1)
            try netlink.replaceHTBClass(link: link, parent: NetlinkSocket.handle(1, 0),
                                        classID: NetlinkSocket.handle(1, 0x10), rate: 125_000, ceil: 125_000)
            try netlink.addDestinationFilter(link: link, parent: NetlinkSocket.handle(1, 0), priority: 1,
                                             destination: UInt32(0x0A4D_000B).bigEndian,
                                             classID: NetlinkSocket.handle(1, 0x10))
        })
        return entries
    }

    private static func qdiscs() -> [Entry] {
        let remedies: [String: String] = [
            "netem": "netem is not available in this kernel (CONFIG_NET_SCH_NETEM); load sch_netem or use "
                + "mechanism: route",
            "htb": "load sch_htb (CONFIG_NET_SCH_HTB); per-link faults and rates need it",
            "prio": "load sch_prio (CONFIG_NET_SCH_PRIO); chaos uses htb instead, so this is optional",
            "tbf": "load sch_tbf (CONFIG_NET_SCH_TBF); rate limits on a whole interface need it",
        ]
        return ["netem", "htb", "prio", "tbf"].map { (kind: String) -> Entry in
            do {
                let ok = try QdiscProbe.available(kind)
                return Entry(name: kind, available: ok,
                             detail: ok ? "installed a \(kind) qdisc" : "netlink: Object not found for kind \(kind)",
                             remedy: remedies[kind])
            } catch {
                return Entry(name: kind, available: false, detail: "\(error)", remedy: remedies[kind])
            }
        }
    }

    private static func attempt(_ name: String, remedy: String, _ body: () throws(NetError) -> Void) -> Entry {
        do {
            try body()
            return Entry(name: name, available: true, detail: "created one", remedy: nil)
        } catch {
            return Entry(name: name, available: false, detail: error.description, remedy: remedy)
        }
    }
}
