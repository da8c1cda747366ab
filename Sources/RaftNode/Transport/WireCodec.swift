import NIOCore

/// The binary form of a `RaftMessage` between peers: a frame `[len u32][kind u8][from][to][term u64][body]`,
/// little-endian, strings and blobs length-prefixed with u32.
enum WireCodec {
    /// Frames larger than this are refused: a snapshot of this size is out of scope for this node.
    static let maxFrame = 512 << 20

    static func encode(_ m: RaftMessage, into buf: inout ByteBuffer) {
        let start = buf.writerIndex
        buf.writeInteger(UInt32(0), endianness: .little)
        switch m.body {
        case .requestVote: buf.writeInteger(UInt8(1))
        case .voteResponse: buf.writeInteger(UInt8(2))
        case .appendEntries: buf.writeInteger(UInt8(3))
        case .appendResponse: buf.writeInteger(UInt8(4))
        case .heartbeat: buf.writeInteger(UInt8(5))
        case .heartbeatResponse: buf.writeInteger(UInt8(6))
        case .installSnapshot: buf.writeInteger(UInt8(7))
        }
        writeString(m.from, &buf)
        writeString(m.to, &buf)
        buf.writeInteger(m.term, endianness: .little)
        switch m.body {
        case let .requestVote(lastIndex, lastTerm, preVote):
            buf.writeInteger(lastIndex, endianness: .little)
            buf.writeInteger(lastTerm, endianness: .little)
            buf.writeInteger(UInt8(preVote ? 1 : 0))
        case let .voteResponse(granted, preVote):
            buf.writeInteger(UInt8(granted ? 1 : 0))
            buf.writeInteger(UInt8(preVote ? 1 : 0))
        case let .appendEntries(prevIndex, prevTerm, entries, commit):
            buf.writeInteger(prevIndex, endianness: .little)
            buf.writeInteger(prevTerm, endianness: .little)
            buf.writeInteger(commit, endianness: .little)
            buf.writeInteger(UInt32(entries.count), endianness: .little)
            for e in entries {
                buf.writeInteger(e.index, endianness: .little)
                buf.writeInteger(e.term, endianness: .little)
                buf.writeInteger(UInt32(e.data.count), endianness: .little)
                buf.writeBytes(e.data)
            }
        case let .appendResponse(success, index, hint):
            buf.writeInteger(UInt8(success ? 1 : 0))
            buf.writeInteger(index, endianness: .little)
            buf.writeInteger(hint, endianness: .little)
        case let .heartbeat(commit, readRound):
            buf.writeInteger(commit, endianness: .little)
            buf.writeInteger(readRound, endianness: .little)
        case let .heartbeatResponse(readRound):
            buf.writeInteger(readRound, endianness: .little)
        case let .installSnapshot(s):
            buf.writeInteger(s.index, endianness: .little)
            buf.writeInteger(s.term, endianness: .little)
            buf.writeInteger(UInt32(s.data.count), endianness: .little)
            buf.writeBytes(s.data)
        }
        buf.setInteger(UInt32(buf.writerIndex - start - 4), at: start, endianness: .little)
    }

    private static func writeString(_ s: String, _ buf: inout ByteBuffer) {
        buf.writeInteger(UInt32(s.utf8.count), endianness: .little)
        buf.writeString(s)
    }

    /// Decodes one frame's payload (without the length prefix).
    /// - Throws: `RaftNodeError.network` when the payload is malformed.
    static func decode(_ buf: inout ByteBuffer) throws -> RaftMessage {
        func bad() -> RaftNodeError { RaftNodeError(.network, "malformed raft frame; dropping the connection") }
        func u8() throws -> UInt8 { guard let v = buf.readInteger(as: UInt8.self) else { throw bad() }; return v }
        func u32() throws -> UInt32 {
            guard let v = buf.readInteger(endianness: .little, as: UInt32.self) else { throw bad() }
            return v
        }
        func u64() throws -> UInt64 {
            guard let v = buf.readInteger(endianness: .little, as: UInt64.self) else { throw bad() }
            return v
        }
        func bytes() throws -> [UInt8] {
            let n = Int(try u32())
            guard let v = buf.readBytes(length: n) else { throw bad() }
            return v
        }
        func string() throws -> String {
            let n = Int(try u32())
            guard let v = buf.readString(length: n) else { throw bad() }
            return v
        }
        let kind = try u8()
        let from = try string()
        let to = try string()
        let term = try u64()
        let body: RaftMessage.Body
        switch kind {
        case 1: body = .requestVote(lastIndex: try u64(), lastTerm: try u64(), preVote: try u8() == 1)
        case 2: body = .voteResponse(granted: try u8() == 1, preVote: try u8() == 1)
        case 3:
            let prevIndex = try u64(), prevTerm = try u64(), commit = try u64()
            let n = Int(try u32())
            guard n <= buf.readableBytes / 20 else { throw bad() }
            var entries: [LogEntry] = []
            entries.reserveCapacity(n)
            for _ in 0..<n { entries.append(LogEntry(index: try u64(), term: try u64(), data: try bytes())) }
            body = .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
        case 4: body = .appendResponse(success: try u8() == 1, index: try u64(), hint: try u64())
        case 5: body = .heartbeat(commit: try u64(), readRound: try u64())
        case 6: body = .heartbeatResponse(readRound: try u64())
        case 7: body = .installSnapshot(Snapshot(index: try u64(), term: try u64(), data: try bytes()))
        default: throw bad()
        }
        return RaftMessage(from: from, to: to, term: term, body: body)
    }
}

/// Splits the inbound byte stream into frames and decodes them.
struct RaftFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RaftMessage

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let len = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(len) <= WireCodec.maxFrame else {
            throw RaftNodeError(.network, "raft frame of \(len) bytes exceeds the \(WireCodec.maxFrame) limit")
        }
        guard buffer.readableBytes >= 4 + Int(len) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        var frame = buffer.readSlice(length: Int(len))!
        let m = try WireCodec.decode(&frame)
        context.fireChannelRead(wrapInboundOut(m))
        return .continue
    }
}
