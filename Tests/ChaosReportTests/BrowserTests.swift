import Foundation
import Testing

@testable import ChaosReport

/// Opens report.html in a real headless Chromium: the charts must be in the rendered DOM and the screenshot
/// must not be blank. Skipped only where chromium is not installed and `CI` is unset.
@Suite("report in a browser", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: Browser.path != nil || Browser.inCI,
                "chromium is not installed (apt-get install chromium, or make setup); CI never skips this"))
struct BrowserTests {
    @Test("the rendered DOM holds the charts and the findings")
    func dom() async throws {
        let browser = try #require(Browser.path, "CI is set but chromium is missing: install it (make setup)")
        let directory = SyntheticRun.scratch("browser")
        _ = try await SyntheticRun.write(to: directory)
        try ReportWriter.writeAll(runDirectory: directory)
        let dom = try Browser.run(browser, ["--dump-dom", "file://\(directory)/report.html"], in: directory)
        #expect(dom.components(separatedBy: "<svg class=\"chart").count - 1 == 6)
        #expect(dom.components(separatedBy: "<path class=\"line\"").count - 1 >= 14)
        #expect(dom.contains("<rect class=\"fault\""))
        #expect(dom.contains("n2 stalled 40.1s–60.0s"))
    }

    @Test("the screenshot is a page with charts, not a blank one")
    func screenshot() async throws {
        let browser = try #require(Browser.path, "CI is set but chromium is missing: install it (make setup)")
        let directory = SyntheticRun.scratch("shot")
        _ = try await SyntheticRun.write(to: directory)
        try ReportWriter.writeAll(runDirectory: directory)
        try "<!doctype html><html><body style=\"background:#fff\"></body></html>"
            .write(toFile: "\(directory)/blank.html", atomically: true, encoding: .utf8)
        let size = "--window-size=1200,3000"
        _ = try Browser.run(browser, [size, "--screenshot=\(directory)/report.png", "file://\(directory)/report.html"],
                            in: directory)
        _ = try Browser.run(browser, [size, "--screenshot=\(directory)/blank.png", "file://\(directory)/blank.html"],
                            in: directory)
        let report = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/report.png"))
        let blank = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/blank.png"))
        // A PNG of the window's size...
        #expect(Array(report.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let (width, height) = try #require(Browser.dimensions(report))
        #expect(width == 1200 && height == 3000)
        // ...that is not blank: lines, text and shading compress far worse than an empty page of the same size.
        #expect(report.count > 8 * blank.count, "report.png \(report.count) bytes, blank.png \(blank.count) bytes")
    }
}

/// Finding and driving headless Chromium.
enum Browser {
    static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    static let path: String? = {
        let candidates = [ProcessInfo.processInfo.environment["CHROMIUM"], "/usr/bin/chromium",
                          "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs Chromium headless with a throwaway profile; returns its stdout.
    /// - Throws: when it exits non-zero or takes longer than a minute.
    static func run(_ browser: String, _ arguments: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--user-data-dir=\(directory)/profile"] + arguments
        // Output goes to a file: a pipe would fill up (the DOM is larger than its buffer) while we wait.
        let outputPath = "\(directory)/chromium-\(UUID().uuidString.prefix(8)).out"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            throw BrowserError(message: "chromium took longer than 60s: \(arguments)")
        }
        guard process.terminationStatus == 0 else {
            throw BrowserError(message: "chromium exited with \(process.terminationStatus): \(arguments)")
        }
        return try String(contentsOfFile: outputPath, encoding: .utf8)
    }

    /// Width and height from a PNG's IHDR chunk.
    static func dimensions(_ png: Data) -> (Int, Int)? {
        guard png.count >= 24 else { return nil }
        let bytes = [UInt8](png.prefix(24))
        func be(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    struct BrowserError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

