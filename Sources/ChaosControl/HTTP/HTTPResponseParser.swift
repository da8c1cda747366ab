import NIOCore

/// HTTP/1.1 responses read off a client connection, written out for the client path: the status, the body (sized
/// by `Content-Length`, chunked, or running to the connection's end) and whether the server will close.
///
/// Why not NIO's `HTTPResponseDecoder`: on the client path every operation is one small response, and llhttp's
/// callbacks, the header dictionary and the response-head allocation were about a sixth of chaos's CPU per
/// operation (perf, `chaos-bench client`). chaos needs three headers, so it reads three headers.
///
/// The caller says what each request was (`expectResponse`, in the order they were written: responses come in
/// that order), appends what the socket gave to one buffer and calls `parse`, which consumes what it can and
/// leaves a partial head, chunk-size line or trailer for the next call.
struct HTTPResponseParser {
    enum Part: Equatable {
        case head(status: Int)
        /// Body bytes as they arrive (a chunk's data, or part of it).
        case body(ByteBuffer)
        /// The response is complete; `close` when the connection cannot carry another one.
        case end(close: Bool)
    }

    /// Why a response could not be read; the connection is useless after it.
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    private enum State: Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    /// Longest status line plus headers, chunk-size line or trailer line accepted.
    static let maxHeadBytes = 64 * 1024

    private var state = State.head
    private var close = false
    private var status = 0
    /// For each request written and not answered yet, whether it was a HEAD request (no body whatever the
    /// headers say), oldest first.
    private var heads: [Bool] = []

    /// Expects the response to one more request, `isHead` when it was a HEAD request.
    mutating func expectResponse(toHead isHead: Bool) {
        heads.append(isHead)
    }

    /// Consumes whatever complete parts `input` holds, in order, leaving an incomplete line in it.
    mutating func parse(_ input: inout ByteBuffer, _ emit: (Part) -> Void) throws(Malformed) {
        while input.readableBytes > 0 {
            switch state {
            case .head:
                guard let head = try takeHead(&input) else { return }
                if (100..<200).contains(head.status) && head.status != 101 {
                    continue  // an interim answer (100 Continue, 103 Early Hints): the real one follows
                }
                status = head.status
                close = head.close
                emit(.head(status: status))
                if heads.first == true || status == 204 || status == 304 || (100..<200).contains(status) {
                    finish(emit)
                } else if head.chunked {
                    state = .chunkSize
                } else if let length = head.length {
                    state = .fixed(remaining: length)
                    if length == 0 { finish(emit) }
                } else {
                    close = true
                    state = .untilClose
                }
            case .fixed(let remaining):
                let taken = min(remaining, input.readableBytes)
                emit(.body(input.readSlice(length: taken)!))
                state = .fixed(remaining: remaining - taken)
                if remaining == taken { finish(emit) }
            case .chunkSize:
                guard let line = try takeLine(&input) else { return }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let taken = min(remaining, input.readableBytes)
                emit(.body(input.readSlice(length: taken)!))
                state = remaining == taken ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .chunkDataEnd:
                guard let line = try takeLine(&input) else { return }
                guard line.readableBytes == 0 else { throw Malformed(description: "chunk data longer than its size") }
                state = .chunkSize
            case .trailers:
                guard let line = try takeLine(&input) else { return }
                if line.readableBytes == 0 { finish(emit) }
            case .untilClose:
                emit(.body(input.readSlice(length: input.readableBytes)!))
            }
        }
    }

    /// The connection ended: a body running to the connection's end is complete (true), anything else was cut
    /// short (false) — unless no response had begun.
    mutating func connectionClosed(_ emit: (Part) -> Void) -> Bool {
        guard state == .untilClose else { return false }
        finish(emit)
        return true
    }

    private mutating func finish(_ emit: (Part) -> Void) {
        state = .head
        if !heads.isEmpty { heads.removeFirst() }
        emit(.end(close: close))
    }

    // MARK: - Pieces

    private struct Head {
        var status: Int
        var length: Int?
        var chunked = false
        var close = false
    }

    /// The status line and headers when all of them (up to the empty line) are in `input`.
    private func takeHead(_ input: inout ByteBuffer) throws(Malformed) -> Head? {
        let end: Int? = input.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 4 else { return nil }
            for i in 3..<bytes.count
            where bytes[i] == 10 && bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 {
                return i + 1
            }
            return nil
        }
        guard let end else {
            if input.readableBytes > Self.maxHeadBytes {
                throw Malformed(description: "response head longer than \(Self.maxHeadBytes) bytes")
            }
            return nil
        }
        let head = try input.withUnsafeReadableBytes { bytes throws(Malformed) in
            try Self.head(UnsafeRawBufferPointer(rebasing: bytes[..<end]))
        }
        input.moveReaderIndex(forwardBy: end)
        return head
    }

    /// One CRLF-terminated line (without its CRLF), when complete.
    private func takeLine(_ input: inout ByteBuffer) throws(Malformed) -> ByteBuffer? {
        let end: Int? = input.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 2 else { return nil }
            for i in 1..<bytes.count where bytes[i] == 10 && bytes[i - 1] == 13 { return i - 1 }
            return nil
        }
        guard let end else {
            if input.readableBytes > Self.maxHeadBytes { throw Malformed(description: "chunk line too long") }
            return nil
        }
        let line = input.readSlice(length: end)!
        input.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// `HTTP/1.x NNN reason` and the headers that decide the body's length and the connection's fate.
    private static func head(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> Head {
        let prefix = Array("HTTP/1.".utf8)
        guard bytes.count >= 12, bytes.starts(with: prefix), (48...57).contains(bytes[7]), bytes[8] == 32,
              let status = decimal(bytes[9..<12]), bytes.count == 12 || bytes[12] == 32 || bytes[12] == 13
        else {
            let line = bytes.prefix { $0 != 13 }.prefix(80)
            throw Malformed(description: "not an HTTP/1 status line: \"\(String(decoding: line, as: UTF8.self))\"")
        }
        var head = Head(status: status)
        var keepAlive = bytes[7] != 48  // HTTP/1.1 and later keep the connection unless told
        var lineStart = (bytes.firstIndex(of: 10) ?? bytes.count - 1) + 1
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            lineStart = lineEnd + 1
            let content = line.last == 13 ? UnsafeRawBufferPointer(rebasing: line.dropLast()) : line
            guard !content.isEmpty else { break }
            guard let colon = content.firstIndex(of: 58) else {
                throw Malformed(description: "header line without a colon")
            }
            let name = UnsafeRawBufferPointer(rebasing: content[..<colon])
            let value = trimmed(UnsafeRawBufferPointer(rebasing: content[(colon + 1)...]))
            if equalsLowercased(name, "content-length") {
                guard let length = decimal(value[...]), head.length == nil || head.length == length else {
                    throw Malformed(description: "bad Content-Length")
                }
                head.length = length
            } else if equalsLowercased(name, "transfer-encoding") {
                // Only a final `chunked` coding delimits the body; any other runs to the connection's end.
                let last = value.split(separator: 44).last.map { trimmed(UnsafeRawBufferPointer(rebasing: $0)) }
                head.chunked = last.map { equalsLowercased($0, "chunked") } ?? false
                if !head.chunked { keepAlive = false }
            } else if equalsLowercased(name, "connection") {
                for token in value.split(separator: 44) {
                    let token = trimmed(UnsafeRawBufferPointer(rebasing: token))
                    if equalsLowercased(token, "close") { keepAlive = false }
                    if equalsLowercased(token, "keep-alive") && bytes[7] == 48 { keepAlive = true }
                }
            }
        }
        if head.chunked { head.length = nil }
        head.close = !keepAlive
        return head
    }

    /// `size[;extensions]` in hex.
    private static func chunkSize(_ line: ByteBuffer) throws(Malformed) -> Int {
        var size = 0
        var digits = 0
        for byte in line.readableBytesView {
            if byte == 59 || byte == 32 || byte == 9 { break }  // extensions or padding follow
            let digit: Int
            switch byte {
            case 48...57: digit = Int(byte) - 48
            case 65...70: digit = Int(byte) - 55
            case 97...102: digit = Int(byte) - 87
            default: throw Malformed(description: "bad chunk size")
            }
            guard digits < 15 else { throw Malformed(description: "chunk size too large") }
            size = size * 16 + digit
            digits += 1
        }
        guard digits > 0 else { throw Malformed(description: "empty chunk size") }
        return size
    }

    private static func decimal(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end && (bytes[start] == 32 || bytes[start] == 9) { start += 1 }
        while end > start && (bytes[end - 1] == 32 || bytes[end - 1] == 9) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Whether `bytes` spell `lowercase` in any letter case.
    private static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for i in 0..<bytes.count {
            let byte = bytes[i]
            let lower = (65...90).contains(byte) ? byte + 32 : byte
            if lower != expected[i] { return false }
        }
        return true
    }
}
