import Foundation
import Testing

/// `docs/architecture.md` draws the source tree; these tests keep the drawing and the tree the same.
@Suite struct ArchitectureDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Folders drawn in the first fenced block that starts with `Sources/`: the first word of a line that ends in
    /// `/` is a folder's path under `Sources/` (indented by depth; the rest of the line describes it).
    static func drawnFolders() throws -> Set<String> {
        let doc = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var inTree = false, sawTree = false
        var folders: Set<String> = []
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if inTree { break }
                inTree = true
                continue
            }
            guard inTree, let word = line.split(separator: " ").first, word.hasSuffix("/") else { continue }
            if !sawTree {
                guard word == "Sources/" else { inTree = false; continue }
                sawTree = true
                folders.insert("Sources")
                continue
            }
            folders.insert("Sources/" + word.dropLast())
        }
        return folders
    }

    /// Every folder under Sources/ (C headers' `include/` folders too), as `Sources/Target/Sub`.
    static func realFolders() -> Set<String> {
        let sources = root.appendingPathComponent("Sources")
        var result: Set<String> = ["Sources"]
        let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.isDirectoryKey])
        while let url = walker?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true else { continue }
            let relative = url.path.dropFirst(sources.path.count + 1)
            result.insert("Sources/" + relative)
        }
        return result
    }

    @Test func everySourceFolderIsDrawn() throws {
        let missing = Self.realFolders().subtracting(try Self.drawnFolders())
        #expect(missing.isEmpty, "docs/architecture.md does not name: \(missing.sorted().joined(separator: ", "))")
    }

    @Test func everyDrawnFolderExists() throws {
        let dangling = try Self.drawnFolders().subtracting(Self.realFolders())
        #expect(dangling.isEmpty, "docs/architecture.md names folders that do not exist: \(dangling.sorted())")
    }
}
