#if canImport(Glibc)
import Glibc
#endif

/// Finds programs the way a shell does.
public enum ExecutableSearch {
    /// The first regular, executable file called `name` in `directories`, as an absolute path (relative entries
    /// are taken against the current directory), or nil.
    public static func find(_ name: String, in directories: [String]) -> String? {
        for directory in directories where !directory.isEmpty {
            let candidate = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0
            else { continue }
            return candidate.hasPrefix("/") ? candidate : currentDirectory() + "/" + candidate
        }
        return nil
    }

    /// The first executable `name` on a `PATH`-style list (`/usr/bin:/bin`); the process's own `PATH` by default.
    public static func onPath(_ name: String, path: String? = nil) -> String? {
        find(name, in: (path ?? searchPath).split(separator: ":").map(String.init))
    }

    /// This process's `PATH`, or the shell's default when it has none.
    public static var searchPath: String {
        getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(cString: buffer)
    }
}
