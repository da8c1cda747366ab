#ifndef CNETLINK_H
#define CNETLINK_H

/// CNetlink: the one C shim of chaos for rtnetlink, over libnl-route-3.
///
/// Every function is `static inline` because a SwiftPM system library target cannot hold C sources; the
/// Swift compiler emits them where they are used. Each returns 0 (or a non-negative value such as an ifindex)
/// on success and a negative libnl error code on failure; `cnl_error` turns that into libnl's message.
/// A socket talks to the network namespace its creating thread was in when it was opened, for its whole life.

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/tc.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/qdisc/prio.h>

// MARK: - Errors and sockets

/// libnl's message for a (negative or positive) libnl error code, e.g. "Object not found".
static inline const char *cnl_error(int err) { return nl_geterror(err); }

/// The libnl code for "Object not found": what the kernel's ENOENT for an unknown qdisc kind becomes.
static inline int cnl_err_obj_notfound(void) { return NLE_OBJ_NOTFOUND; }
/// The libnl code for "Object exists".
static inline int cnl_err_exist(void) { return NLE_EXIST; }

/// Opens a NETLINK_ROUTE socket in the calling thread's network namespace; NULL with `*err` set on failure.
static inline struct nl_sock *cnl_socket_open(int *err) {
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk) { *err = -NLE_NOMEM; return NULL; }
    int rc = nl_connect(sk, NETLINK_ROUTE);
    if (rc < 0) { nl_socket_free(sk); *err = rc; return NULL; }
    *err = 0;
    return sk;
}

static inline void cnl_socket_close(struct nl_sock *sk) {
    if (sk) { nl_close(sk); nl_socket_free(sk); }
}

// MARK: - Links

/// The ifindex of link `name`, or a negative libnl error.
static inline int cnl_link_index(struct nl_sock *sk, const char *name) {
    struct rtnl_link *link = NULL;
    int rc = rtnl_link_get_kernel(sk, 0, name, &link);
    if (rc < 0) return rc;
    int index = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    return index;
}

/// Creates veth pair `name` <-> `peer_name`, moving the peer into the namespace behind `peer_netns_fd` (-1: stay).
static inline int cnl_veth_add(struct nl_sock *sk, const char *name, const char *peer_name, int peer_netns_fd) {
    struct rtnl_link *link = rtnl_link_veth_alloc();
    if (!link) return -NLE_NOMEM;
    rtnl_link_set_name(link, name);
    struct rtnl_link *peer = rtnl_link_veth_get_peer(link);
    rtnl_link_set_name(peer, peer_name);
    if (peer_netns_fd >= 0) rtnl_link_set_ns_fd(peer, peer_netns_fd);
    int rc = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(peer);   // balances rtnl_link_veth_get_peer
    rtnl_link_put(link);   // frees the link and, through it, the peer
    return rc;
}

/// Creates bridge `name`.
static inline int cnl_bridge_add(struct nl_sock *sk, const char *name) {
    return rtnl_link_bridge_add(sk, name);
}

/// Changes link `name`: up (1) / down (0) / unchanged (-1), and master ifindex (> 0) or unchanged (0).
static inline int cnl_link_change(struct nl_sock *sk, const char *name, int up, int master_index) {
    struct rtnl_link *orig = NULL;
    int rc = rtnl_link_get_kernel(sk, 0, name, &orig);
    if (rc < 0) return rc;
    struct rtnl_link *change = rtnl_link_alloc();
    if (!change) { rtnl_link_put(orig); return -NLE_NOMEM; }
    if (up == 1) rtnl_link_set_flags(change, IFF_UP);
    if (up == 0) rtnl_link_unset_flags(change, IFF_UP);
    if (master_index > 0) rtnl_link_set_master(change, master_index);
    rc = rtnl_link_change(sk, orig, change, 0);
    rtnl_link_put(change);
    rtnl_link_put(orig);
    return rc;
}

/// The RFC 2863 operational state of link `name` (6 = IF_OPER_UP), or a negative libnl error.
static inline int cnl_link_operstate(struct nl_sock *sk, const char *name) {
    struct rtnl_link *link = NULL;
    int rc = rtnl_link_get_kernel(sk, 0, name, &link);
    if (rc < 0) return rc;
    int state = rtnl_link_get_operstate(link);
    rtnl_link_put(link);
    return state;
}

/// Deletes link `name` (a veth takes its peer with it).
static inline int cnl_link_delete(struct nl_sock *sk, const char *name) {
    struct rtnl_link *link = rtnl_link_alloc();
    if (!link) return -NLE_NOMEM;
    rtnl_link_set_name(link, name);
    int rc = rtnl_link_delete(sk, link);
    rtnl_link_put(link);
    return rc;
}

// MARK: - Addresses and routes

/// Adds IPv4 address `cidr` ("10.77.0.11/24") to the link with `ifindex`.
static inline int cnl_addr_add(struct nl_sock *sk, int ifindex, const char *cidr) {
    struct nl_addr *local = NULL;
    int rc = nl_addr_parse(cidr, AF_INET, &local);
    if (rc < 0) return rc;
    struct rtnl_addr *addr = rtnl_addr_alloc();
    if (!addr) { nl_addr_put(local); return -NLE_NOMEM; }
    rtnl_addr_set_ifindex(addr, ifindex);
    rc = rtnl_addr_set_local(addr, local);
    if (rc >= 0) rc = rtnl_addr_add(sk, addr, 0);
    rtnl_addr_put(addr);
    nl_addr_put(local);
    return rc;
}

/// Route types for `cnl_route_special`.
static inline int cnl_rtn_blackhole(void) { return RTN_BLACKHOLE; }
static inline int cnl_rtn_unreachable(void) { return RTN_UNREACHABLE; }

/// Adds (replacing) or deletes a route of `type` (blackhole, unreachable: no next hop) to `dst` in table main.
static inline int cnl_route_special(struct nl_sock *sk, const char *dst, int type, int add) {
    struct nl_addr *address = NULL;
    int rc = nl_addr_parse(dst, AF_INET, &address);
    if (rc < 0) return rc;
    struct rtnl_route *route = rtnl_route_alloc();
    if (!route) { nl_addr_put(address); return -NLE_NOMEM; }
    rtnl_route_set_family(route, AF_INET);
    rtnl_route_set_table(route, RT_TABLE_MAIN);
    rtnl_route_set_type(route, (uint8_t)type);
    rtnl_route_set_scope(route, RT_SCOPE_UNIVERSE);
    rtnl_route_set_protocol(route, RTPROT_STATIC);
    rc = rtnl_route_set_dst(route, address);
    if (rc >= 0) {
        rc = add ? rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_REPLACE) : rtnl_route_delete(sk, route, 0);
    }
    rtnl_route_put(route);
    nl_addr_put(address);
    return rc;
}

// MARK: - Queueing disciplines, classes, filters

/// A tc handle from major:minor.
static inline uint32_t cnl_handle(uint32_t major, uint32_t minor) { return TC_HANDLE(major, minor); }

/// Replaces the root qdisc of `ifindex` with htb `handle` whose unclassified traffic goes to `default_minor`.
static inline int cnl_htb_root(struct nl_sock *sk, int ifindex, uint32_t handle, uint32_t default_minor) {
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
    rtnl_tc_set_handle(TC_CAST(q), handle);
    int rc = rtnl_tc_set_kind(TC_CAST(q), "htb");
    if (rc >= 0) rc = rtnl_htb_set_defcls(q, default_minor);
    if (rc >= 0) rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_qdisc_put(q);
    return rc;
}

/// Adds or changes htb class `classid` under `parent` with rate and ceil in bytes per second.
static inline int cnl_htb_class(struct nl_sock *sk, int ifindex, uint32_t parent, uint32_t classid,
                                uint64_t rate, uint64_t ceil) {
    struct rtnl_class *c = rtnl_class_alloc();
    if (!c) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(c), ifindex);
    rtnl_tc_set_parent(TC_CAST(c), parent);
    rtnl_tc_set_handle(TC_CAST(c), classid);
    int rc = rtnl_tc_set_kind(TC_CAST(c), "htb");
    if (rc >= 0) rc = rtnl_htb_set_rate64(c, rate);
    if (rc >= 0) rc = rtnl_htb_set_ceil64(c, ceil);
    // An explicit quantum keeps the kernel from warning about huge rate/r2q quanta.
    if (rc >= 0) rc = rtnl_htb_set_quantum(c, 60000);
    if (rc >= 0) rc = rtnl_class_add(sk, c, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_class_put(c);
    return rc;
}

/// Adds a u32 filter under qdisc `parent` sending IPv4 packets to `dst` (network order) into `classid`.
static inline int cnl_u32_dst(struct nl_sock *sk, int ifindex, uint32_t parent, uint16_t prio,
                              uint32_t dst_be, uint32_t classid) {
    struct rtnl_cls *cls = rtnl_cls_alloc();
    if (!cls) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), parent);
    int rc = rtnl_tc_set_kind(TC_CAST(cls), "u32");
    rtnl_cls_set_prio(cls, prio);
    rtnl_cls_set_protocol(cls, ETH_P_IP);
    // The IPv4 destination address sits at byte 16 of the IP header.
    if (rc >= 0) rc = rtnl_u32_add_key_uint32(cls, ntohl(dst_be), 0xffffffff, 16, 0);
    if (rc >= 0) rc = rtnl_u32_set_classid(cls, classid);
    if (rc >= 0) rc = rtnl_u32_set_cls_terminal(cls);
    if (rc >= 0) rc = rtnl_cls_add(sk, cls, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_cls_put(cls);
    return rc;
}

/// Netem settings; probabilities and correlations scaled to 2^32-1 = 100% (as the kernel takes them).
typedef struct {
    uint32_t delay_us, jitter_us, delay_correlation;
    uint32_t loss, loss_correlation;
    uint32_t duplicate, duplicate_correlation;
    uint32_t reorder, reorder_correlation, gap;
    uint32_t corrupt, corrupt_correlation;
    uint32_t limit;
    const int16_t *distribution;
    size_t distribution_length;
} cnl_netem_params;

/// Adds or replaces netem qdisc `handle` under `parent` (a class, or TC_H_ROOT) with `p`.
static inline int cnl_netem(struct nl_sock *sk, int ifindex, uint32_t parent, uint32_t handle,
                            const cnl_netem_params *p) {
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    rtnl_tc_set_handle(TC_CAST(q), handle);
    int rc = rtnl_tc_set_kind(TC_CAST(q), "netem");
    if (rc >= 0) {
        rtnl_netem_set_limit(q, (int)(p->limit ? p->limit : 10000));
        rtnl_netem_set_delay(q, (int)p->delay_us);
        rtnl_netem_set_jitter(q, (int)p->jitter_us);
        rtnl_netem_set_delay_correlation(q, (int)p->delay_correlation);
        rtnl_netem_set_loss(q, (int)p->loss);
        rtnl_netem_set_loss_correlation(q, (int)p->loss_correlation);
        rtnl_netem_set_duplicate(q, (int)p->duplicate);
        rtnl_netem_set_duplicate_correlation(q, (int)p->duplicate_correlation);
        if (p->reorder) {
            rtnl_netem_set_reorder_probability(q, (int)p->reorder);
            rtnl_netem_set_reorder_correlation(q, (int)p->reorder_correlation);
            rtnl_netem_set_gap(q, (int)p->gap);
        }
        if (p->corrupt) {
            rtnl_netem_set_corruption_probability(q, (int)p->corrupt);
            rtnl_netem_set_corruption_correlation(q, (int)p->corrupt_correlation);
        }
        if (p->distribution && p->distribution_length)
            rc = rtnl_netem_set_delay_distribution_data(q, p->distribution, p->distribution_length);
    }
    if (rc >= 0) rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_qdisc_put(q);
    return rc;
}

/// Adds or replaces tbf qdisc `handle` under `parent`: `rate` bytes/s, `bucket` bytes, at most `latency_us` queued.
static inline int cnl_tbf(struct nl_sock *sk, int ifindex, uint32_t parent, uint32_t handle,
                          uint32_t rate, uint32_t bucket, uint32_t latency_us) {
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    rtnl_tc_set_handle(TC_CAST(q), handle);
    int rc = rtnl_tc_set_kind(TC_CAST(q), "tbf");
    if (rc >= 0) {
        rtnl_qdisc_tbf_set_rate(q, (int)rate, (int)bucket, 0);
        rc = rtnl_qdisc_tbf_set_limit_by_latency(q, (int)latency_us);
    }
    if (rc >= 0) rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_qdisc_put(q);
    return rc;
}

/// Adds or replaces a 3-band prio qdisc `handle` under `parent`, with the kernel's default priority map.
static inline int cnl_prio(struct nl_sock *sk, int ifindex, uint32_t parent, uint32_t handle) {
    static uint8_t map[] = {1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    rtnl_tc_set_handle(TC_CAST(q), handle);
    int rc = rtnl_tc_set_kind(TC_CAST(q), "prio");
    if (rc >= 0) rtnl_qdisc_prio_set_bands(q, 3);
    if (rc >= 0) rc = rtnl_qdisc_prio_set_priomap(q, map, sizeof(map));
    if (rc >= 0) rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_qdisc_put(q);
    return rc;
}

/// Adds or replaces a qdisc of a parameterless `kind` ("pfifo", "sfq", …) as `handle` under `parent`.
static inline int cnl_qdisc_plain(struct nl_sock *sk, int ifindex, uint32_t parent, uint32_t handle,
                                  const char *kind) {
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    rtnl_tc_set_handle(TC_CAST(q), handle);
    int rc = rtnl_tc_set_kind(TC_CAST(q), kind);
    if (rc >= 0) rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_qdisc_put(q);
    return rc;
}

/// Deletes the qdisc attached at `parent` (TC_H_ROOT for the root) of `ifindex`.
static inline int cnl_qdisc_delete(struct nl_sock *sk, int ifindex, uint32_t parent) {
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) return -NLE_NOMEM;
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    int rc = rtnl_qdisc_delete(sk, q);
    rtnl_qdisc_put(q);
    return rc;
}

static inline uint32_t cnl_tc_h_root(void) { return TC_H_ROOT; }

#endif
