import Foundation
import Glibc
import NIOHTTP1
import Testing
@testable import ChaosControl

/// The endpoint against real loopback servers: an answer is returned, a server that never answers times out as
/// possibly sent, one that hangs up after reading the request is a lost connection (possibly sent), a port where
/// nobody listens is a connect failure (never sent), and the connection is reused between requests.
@Suite struct HTTPEndpointTests {
    /// A one-thread TCP server on 127.0.0.1 that treats each connection as `behaviour` says.
    final class Server: @unchecked Sendable {
        enum Behaviour {
            case answer, silent, hangUp
            /// Writes `reply` to each request, then hangs up if `close`.
            case reply(String, close: Bool)
        }
        let fd: Int32
        let port: Int
        private(set) var accepted = 0
        private var clients: [Int32] = []
        private let lock = NSLock()

        init(_ behaviour: Behaviour) {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            listen(listener, 8)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            fd = listener
            port = Int(UInt16(bigEndian: address.sin_port))
            let thread = Thread { [self] in serve(behaviour) }
            thread.start()
        }

        private func serve(_ behaviour: Behaviour) {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    // Closed here, by the thread that used them, so no later server can get these numbers while
                    // this thread still reads or accepts on them.
                    for client in lock.withLock({ clients }) { close(client) }
                    close(fd)
                    return
                }
                lock.withLock {
                    accepted += 1
                    clients.append(client)
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let got = read(client, &buffer, buffer.count)
                    guard got > 0 else { break }
                    switch behaviour {
                    case .silent: continue
                    case .hangUp: shutdown(client, Int32(SHUT_RDWR))
                    case .answer:
                        // One answer per request line read (requests written back to back arrive together).
                        let text = String(decoding: buffer[0..<got], as: UTF8.self)
                        let requests = max(1, text.components(separatedBy: " HTTP/1.1\r\n").count - 1)
                        let body = #"{"ok":true}"#
                        let one = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                        let reply = String(repeating: one, count: requests)
                        _ = reply.withCString { write(client, $0, strlen($0)) }
                        continue
                    case .reply(let reply, let close):
                        _ = reply.withCString { write(client, $0, strlen($0)) }
                        if !close { continue }
                        shutdown(client, Int32(SHUT_RDWR))
                    }
                    break
                }
            }
        }

        func stop() {
            for client in lock.withLock({ clients }) { shutdown(client, Int32(SHUT_RDWR)) }
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    @Test func answersAndReusesTheConnection() async throws {
        let server = Server(.answer)
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        for _ in 0..<3 {
            let response = try await endpoint.request(.POST, "/kv/k1/cas", body: Array("{}".utf8),
                                                      timeout: .seconds(5))
            #expect(response.status == 200)
            #expect(response.fields?["ok"] == .bool(true))
        }
        #expect(server.accepted == 1)
        endpoint.close()
    }

    @Test func silentServerTimesOutAsPossiblySent() async {
        let server = Server(.silent)
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        let started = ContinuousClock.now
        await #expect(throws: HTTPClientError.timeout(sent: true)) {
            _ = try await endpoint.request(.GET, "/kv/k1", timeout: .milliseconds(300))
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(290) && waited < .seconds(3))
        endpoint.close()
    }

    @Test func hangUpIsALostConnectionPossiblySent() async {
        let server = Server(.hangUp)
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        await #expect(throws: HTTPClientError.connectionLost(sent: true)) {
            _ = try await endpoint.request(.PUT, "/kv/k1", body: Array("1".utf8), timeout: .seconds(5))
        }
        endpoint.close()
    }

    @Test func nobodyListeningIsNeverSent() async {
        let server = Server(.answer)
        let port = server.port
        server.stop()
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: port)
        do {
            _ = try await endpoint.request(.GET, "/kv/k1", timeout: .seconds(2))
            Issue.record("a request to a closed port succeeded")
        } catch {
            #expect(!error.sent)
        }
    }

    @Test func chunkedAnswerAndServerThatCloses() async throws {
        let reply = "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\n{\"ok\"\r\n6\r\n:true}\r\n0\r\n\r\n"
        let server = Server(.reply(reply, close: true))
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        for _ in 0..<3 {
            let response = try await endpoint.request(.GET, "/kv/k1", timeout: .seconds(5))
            #expect(response.status == 200 && response.fields?["ok"] == .bool(true))
        }
        // `Connection: close` is obeyed at once: each request opens its own connection, none is lost to a FIN
        // that arrives after the next request was written.
        #expect(server.accepted == 3)
        endpoint.close()
    }

    @Test func garbageIsABadResponsePossiblySent() async {
        let server = Server(.reply("SSH-2.0-OpenSSH_9.2\r\n\r\n", close: false))
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        do {
            _ = try await endpoint.request(.GET, "/kv/k1", timeout: .seconds(5))
            Issue.record("a non-HTTP answer was accepted")
        } catch {
            guard case .badResponse(let why) = error else { Issue.record("\(error)"); return }
            #expect(error.sent && why.contains("SSH-2.0"))
        }
        endpoint.close()
    }

    @Test func headerWithALineBreakIsNeverSent() async {
        let server = Server(.answer)
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        do {
            _ = try await endpoint.request(.GET, "/kv/k1", headers: [("X-Key", "a\r\nX-Evil: 1")],
                                           timeout: .seconds(5))
            Issue.record("a header with a line break was sent")
        } catch {
            guard case .invalidRequest = error else { Issue.record("\(error)"); return }
            #expect(!error.sent)
        }
        // The connection is still good for the next request.
        let response = try? await endpoint.request(.GET, "/kv/k1", timeout: .seconds(5))
        #expect(response?.status == 200)
        endpoint.close()
    }

    @Test func bytesAfterTheAnswerAreNotReadAsTheNextAnswer() async throws {
        // Each reply carries a second, unasked-for answer (status 500) after the real one.
        let reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"
        let server = Server(.reply(reply, close: false))
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        for i in 0..<3 {
            do {
                let response = try await endpoint.request(.GET, "/kv/k1", timeout: .seconds(5))
                #expect(response.status == 200)
            } catch { Issue.record("request \(i): \(error) accepted \(server.accepted)") }
        }
        // The connection was given up after each answer that came with more.
        #expect(server.accepted == 3)
        endpoint.close()
    }

    /// A node's status endpoint is shared by the sampler and the nemesis: requests written before the previous one
    /// was answered each get their own answer, in order, and none is left waiting (a lost one hung a run).
    @Test(.timeLimit(.minutes(1))) func concurrentRequestsOnOneEndpointAreEachAnswered() async throws {
        let server = Server(.answer)
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        _ = try await endpoint.request(.GET, "/status", timeout: .seconds(5))  // one connection for all
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await endpoint.request(.GET, "/status", timeout: .seconds(5)).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 20))
        endpoint.close()
    }

    @Test(.timeLimit(.minutes(1))) func waitingRequestsEndWhenTheFirstTimesOut() async {
        let server = Server(.silent)
        defer { server.stop() }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port)
        let started = ContinuousClock.now
        let errors = await withTaskGroup(of: HTTPClientError?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do throws(HTTPClientError) {
                        _ = try await endpoint.request(.GET, "/status", timeout: .milliseconds(300))
                        return nil
                    } catch { return error }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(errors.allSatisfy { $0?.sent == true }, "\(errors)")
        #expect(ContinuousClock.now - started < .seconds(3))
        endpoint.close()
    }
}
