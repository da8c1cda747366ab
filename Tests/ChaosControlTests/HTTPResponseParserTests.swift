import NIOCore
import Testing
@testable import ChaosControl

/// The client path's HTTP/1 response reader: every way a body is delimited, interim answers, the connection's fate,
/// and bytes arriving in any split (each response is fed whole, then cut at every position, then byte by byte).
@Suite struct HTTPResponseParserTests {
    /// Status, body and `close` of each complete response in `text`, fed in pieces cut at `cuts`.
    static func read(_ text: String, head: Bool = false, cuts: [Int] = [], closeAtEnd: Bool = false) throws
        -> [(status: Int, body: String, close: Bool)] {
        var parser = HTTPResponseParser()
        parser.expectResponse(toHead: head)
        let bytes = Array(text.utf8)
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts.sorted() where cut > start && cut < bytes.count {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        pieces.append(Array(bytes[start...]))
        var results: [(status: Int, body: String, close: Bool)] = []
        var status = 0
        var body: [UInt8] = []
        var pending = ByteBuffer()
        let emit: (HTTPResponseParser.Part) -> Void = { part in
            switch part {
            case .head(let code): status = code; body = []
            case .body(let bytes): body += bytes.readableBytesView
            case .end(let close):
                results.append((status, String(decoding: body, as: UTF8.self), close))
            }
        }
        for piece in pieces {
            pending.writeBytes(piece)
            try parser.parse(&pending, emit)
        }
        if closeAtEnd { _ = parser.connectionClosed(emit) }
        return results
    }

    /// The same responses however the bytes are cut.
    static func everySplit(_ text: String, head: Bool = false, closeAtEnd: Bool = false) throws
        -> [(status: Int, body: String, close: Bool)] {
        let whole = try read(text, head: head, closeAtEnd: closeAtEnd)
        let count = text.utf8.count
        for cut in 1..<count {
            let split = try read(text, head: head, cuts: [cut], closeAtEnd: closeAtEnd)
            #expect(split.map(\.body) == whole.map(\.body), "cut at \(cut)")
            #expect(split.map(\.status) == whole.map(\.status), "cut at \(cut)")
        }
        let bytewise = try read(text, head: head, cuts: Array(1..<count), closeAtEnd: closeAtEnd)
        #expect(bytewise.map(\.body) == whole.map(\.body))
        return whole
    }

    @Test func contentLength() throws {
        let got = try Self.everySplit(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}")
        #expect(got.count == 1)
        #expect(got.first?.status == 200 && got.first?.body == #"{"ok":true}"# && got.first?.close == false)
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let text = "HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let got = try Self.everySplit(text)
        #expect(got.count == 1 && got.first?.status == 201 && got.first?.body == "hello, world!!!")
    }

    @Test func interimAnswersAreSkipped() throws {
        let got = try Self.everySplit(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
        #expect(got.count == 1 && got.first?.status == 404 && got.first?.body == "no")
    }

    @Test func bodilessAnswers() throws {
        let noContent = try Self.everySplit("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")
        #expect(noContent.count == 1 && noContent.first?.body == "")
        let head = try Self.everySplit("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head: true)
        #expect(head.count == 1 && head.first?.body == "")
        let empty = try Self.everySplit("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(empty.count == 1 && empty.first?.body == "")
    }

    @Test func bodyToTheConnectionsEnd() throws {
        let text = "HTTP/1.0 200 OK\r\n\r\nall of it"
        #expect(try Self.read(text).isEmpty)  // not complete while the connection stays open
        let got = try Self.everySplit(text, closeAtEnd: true)
        #expect(got.count == 1 && got.first?.body == "all of it" && got.first?.close == true)
    }

    @Test func connectionFate() throws {
        #expect(try Self.read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").first?.close == true)
        #expect(try Self.read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").first?.close == true)
        #expect(try Self.read("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").first?.close
                == false)
        #expect(try Self.read("HTTP/1.1 200 OK\r\nConnection: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n")
            .first?.close == false)
    }

    @Test func consecutiveResponsesOnOneConnection() throws {
        let one = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
        let two = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n"
        let got = try Self.everySplit(one + two + one)
        #expect(got.map(\.body) == ["a", "b", "a"])
    }

    @Test func malformedAnswersAreErrors() {
        for text in ["SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n"] {
            #expect(throws: HTTPResponseParser.Malformed.self, "\(text.debugDescription)") {
                _ = try Self.read(text)
            }
        }
    }

    @Test func endlessHeadIsRefused() {
        let text = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 4000)
        #expect(throws: HTTPResponseParser.Malformed.self) { _ = try Self.read(text) }
    }
}
