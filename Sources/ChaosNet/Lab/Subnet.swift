/// The lab's private IPv4 network ("10.77.0.0/24"): the bridge is host .1 (the controller's sampler and status
/// requests), host .2 is the controller's clients' second address on the bridge, node i (from 1) is host .(10+i).
public struct Subnet: Sendable, Hashable, CustomStringConvertible {
    /// The network address as a host-order integer.
    public let network: UInt32
    public let prefixLength: Int

    /// Parses `a.b.c.d/len`.
    /// - Throws: `NetError` naming the text when it is not an IPv4 CIDR with a prefix of 8...29.
    public init(_ text: String) throws(NetError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (8...29).contains(length),
              let address = Subnet.parse(String(parts[0])) else {
            throw NetError(operation: "parse subnet '\(text)'",
                           hint: "write an IPv4 network with a prefix length of 8 to 29, like 10.77.0.0/24")
        }
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
        network = address & mask
        prefixLength = length
    }

    /// How many nodes fit (hosts .11 up to the last usable address).
    public var capacity: Int { max(0, (1 << (32 - prefixLength)) - 2 - 10) }

    /// The controller's address on the bridge.
    public var gateway: String { Subnet.format(network + 1) }

    /// The second controller address on the bridge that workload clients send from, so that a fault with
    /// `clients: affected` can cut clients without cutting the sampler.
    public var clientsHost: UInt32 { network + 2 }

    /// The address of node `index` (0-based), host number 11 + index.
    public func host(_ index: Int) -> UInt32 { network + 11 + UInt32(index) }

    /// `host` as a dotted quad.
    public func address(_ index: Int) -> String { Subnet.format(host(index)) }

    public var description: String { "\(Subnet.format(network))/\(prefixLength)" }

    /// A host-order address as `a.b.c.d`.
    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\((address >> 16) & 255).\((address >> 8) & 255).\(address & 255)"
    }

    /// `a.b.c.d` as a host-order integer, nil when malformed.
    public static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 != nil && $0! < 256 }) else { return nil }
        return octets.reduce(UInt32(0)) { $0 << 8 | $1! }
    }
}
