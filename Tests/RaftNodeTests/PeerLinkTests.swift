import NIOPosix
import Testing
@testable import RaftNode

/// A link to a peer that does not answer holds a bounded backlog, however much the leader sends it.
@Suite struct PeerLinkTests {
    @Test func anUnreachablePeersBacklogStaysWithinItsByteBound() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        // Port 1 on loopback refuses connections: the link keeps queueing and reconnecting.
        let link = PeerLink(peer: "n2", address: HostPort(host: "127.0.0.1", port: 1), loop: loop)
        let entry = LogEntry(index: 1, term: 1, data: [UInt8](repeating: 7, count: 256 << 10))
        for i in 0..<64 {  // 64 appends of 256 KiB = 16 MiB offered
            link.send([RaftMessage(from: "n1", to: "n2", term: 1,
                                   body: .appendEntries(prevIndex: UInt64(i), prevTerm: 1, entries: [entry], commit: 0))])
        }
        link.send([RaftMessage(from: "n1", to: "n2", term: 1, body: .heartbeat(commit: 0, readRound: 0))])
        let queued = try await loop.submit { link.queuedBytes }.get()
        #expect(queued > 0)
        #expect(queued <= PeerLink.maxQueuedBytes, "queued \(queued) bytes")
        _ = try await link.close().get()
        try await group.shutdownGracefully()
    }
}
