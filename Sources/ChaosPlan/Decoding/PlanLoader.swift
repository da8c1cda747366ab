import Foundation
import Yams

/// Reads plan files: YAML text → a validated `Plan`, or every problem in it at once.
public enum PlanLoader {
    /// Reads and validates the plan at `path`.
    ///
    /// - Parameter path: the file, as the user gave it; messages name it this way.
    /// - Returns: the plan, every default filled in.
    /// - Throws: `PlanError` with every problem found (the file unreadable, YAML syntax, bad values...).
    public static func load(path: String) throws(PlanError) -> Plan {
        var warnings: [Diagnostic] = []
        return try load(path: path, warnings: &warnings)
    }

    /// Reads and validates the plan at `path`, handing back its warnings for the caller to print.
    ///
    /// - Throws: `PlanError` as `load(path:)` does.
    public static func load(path: String, warnings: inout [Diagnostic]) throws(PlanError) -> Plan {
        let text = try read(path: path)
        let plan = try parse(text, file: path)
        warnings = diagnose(text, file: path).diagnostics.filter { $0.severity == .warning }
        return plan
    }

    /// Validates plan text.
    ///
    /// - Parameters:
    ///   - yaml: the plan's YAML text.
    ///   - file: the name used in messages (`plans/x.yaml`).
    /// - Throws: `PlanError` when there is at least one error; warnings alone do not throw (see `diagnose`).
    public static func parse(_ yaml: String, file: String) throws(PlanError) -> Plan {
        let (plan, diagnostics) = diagnose(yaml, file: file)
        guard let plan, !diagnostics.contains(where: { $0.severity == .error }) else {
            throw PlanError(diagnostics: diagnostics)
        }
        return plan
    }

    /// Validates plan text and returns the plan (when there is no error) together with every diagnostic,
    /// warnings included, in file order, for `chaos validate` to print.
    public static func diagnose(_ yaml: String, file: String) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        var composer = DocumentComposer(text: yaml, file: file)
        let root = composer.compose()
        var diagnostics = composer.diagnostics
        var plan: Plan?
        if let root {
            var decoder = PlanDecoder(file: file, ignoredKeys: composer.ignoredKeys)
            plan = decoder.decodePlan(root)
            diagnostics += decoder.diagnostics
        } else if diagnostics.isEmpty {
            diagnostics.append(Diagnostic(
                location: SourceLocation(file: file, line: 1, column: 1),
                message: "the plan is empty; it needs at least 'name' and 'duration'"))
        }
        diagnostics = Diagnostic.sortedByPosition(diagnostics)
        let hasError = diagnostics.contains { $0.severity == .error }
        return (hasError ? nil : plan, diagnostics)
    }

    private static func read(path: String) throws(PlanError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory"
                : "it is not readable UTF-8 text"
            throw PlanError(file: path, message: "cannot read the plan: \(reason); check the path")
        }
    }
}
