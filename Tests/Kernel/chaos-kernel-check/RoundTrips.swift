import ChaosControl
import ChaosNet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// TCP round trips from one node's namespace to an echo server in another's: the connect, then a 1-byte
/// ping-pong repeated over the open connection.
struct RoundTrips: CustomStringConvertible {
    var link: String
    /// Time for `connect` (SYN, SYN-ACK) to return.
    var connect: Duration
    /// Each ping-pong, in order.
    var samples: [Duration]

    /// The median ping-pong: robust against the odd scheduling hiccup of an emulated CPU.
    var median: Duration {
        let sorted = samples.sorted()
        return sorted[sorted.count / 2]
    }

    /// Measures `count` ping-pongs from `from` to `server` over one connection created in `from`'s namespace.
    static func measure(lab: Lab, from: String, to server: EchoServer, name: String, count: Int = 15) throws
        -> RoundTrips {
        let fd = try lab.withNamespace(of: from) { try TCPSocket.make() }
        defer { close(fd) }
        TCPSocket.setTimeout(fd, .seconds(10))
        let clock = ContinuousClock()
        let connect = try clock.measure { try TCPSocket.connect(fd, host: server.host, port: server.port) }
        var samples: [Duration] = []
        for index in 0..<count {
            let byte = UInt8(truncatingIfNeeded: index)
            let elapsed = try clock.measure {
                try TCPSocket.sendAll(fd, [byte])
                let reply = try TCPSocket.receive(fd, limit: 1)
                guard reply == [byte] else {
                    throw KernelCheckError("ping-pong \(from)->\(name)", "sent \(byte), got \(reply)")
                }
            }
            samples.append(elapsed)
        }
        return RoundTrips(link: "\(from)->\(name)", connect: connect, samples: samples)
    }

    var description: String {
        let low = samples.min().map(Self.ms) ?? "-"
        let high = samples.max().map(Self.ms) ?? "-"
        return "\(link): connect \(Self.ms(connect)) ms, ping-pong median \(Self.ms(median)) ms "
            + "(min \(low), max \(high), n=\(samples.count))"
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f", duration.seconds * 1000)
    }
}
