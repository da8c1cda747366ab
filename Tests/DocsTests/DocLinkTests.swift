import Foundation
import Testing

/// Relative links in the README and docs/ point at files that exist.
@Suite struct DocLinkTests {
    static let pages: [String] = {
        let docs = ArchitectureDocTests.root.appendingPathComponent("docs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        return ["README.md"] + names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }()

    @Test(arguments: pages) func relativeLinksResolve(page: String) throws {
        let url = ArchitectureDocTests.root.appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        let link = /\]\(([^)#\s]+)(#[^)]*)?\)/
        var broken: [String] = []
        for match in text.matches(of: link) {
            let target = String(match.1)
            if target.contains("://") || target.hasPrefix("mailto:") { continue }
            let resolved = url.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
            if !FileManager.default.fileExists(atPath: resolved.path) { broken.append(target) }
        }
        #expect(broken.isEmpty, "\(page) links to missing files: \(broken)")
    }
}
