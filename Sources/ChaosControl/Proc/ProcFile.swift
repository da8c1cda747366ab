import ChaosSupport

#if canImport(Glibc)
import Glibc
#endif

/// Reads small /proc files with plain syscalls: they report size 0, change between reads, and the sampler
/// reads them every 100 ms, so no Foundation file APIs and no buffering beyond one page at a time.
enum ProcFile {
    /// The whole file as text, or nil when it cannot be read (the process or thread has gone).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return nil
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            guard let count = try? retryingInterrupts({
                buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }) else {
                return nil
            }
            if count == 0 {
                break
            }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The entry names of a directory except `.` and `..`, or nil when it cannot be opened.
    static func entries(_ path: String) -> [String]? {
        guard let directory = opendir(path) else {
            return nil
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
        return names
    }
}
