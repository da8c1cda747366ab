import Foundation

/// Paths and texts shared by the plan tests.
enum Fixtures {
    /// The package root, found from this file so tests run from any directory (and in CI clones).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let plansDirectory = packageRoot.appendingPathComponent("plans")

    static var quickstartPath: String { plansDirectory.appendingPathComponent("quickstart.yaml").path }

    static var quickstartText: String {
        (try? String(contentsOfFile: quickstartPath, encoding: .utf8)) ?? ""
    }

    /// Every example plan shipped in `plans/`.
    static var examplePlanPaths: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: plansDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { plansDirectory.appendingPathComponent($0).path }
    }

    /// A minimal valid plan, for tests that vary one part.
    static let minimal = """
        name: minimal
        duration: 10s
        """
}
