#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the POSIX file calls the WAL and snapshots need.
enum FileIO {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        Int32(try syscall("open", path) { Int(Glibc.open(path, flags | O_CLOEXEC, mode)) })
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let base = bytes.baseAddress! + done
            let left = bytes.count - done
            done += try syscall("write", path) { Glibc.write(fd, base, left) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { (p: UnsafeRawBufferPointer) throws in
            try writeAll(fd, p, path: path)
        }
    }

    static func fdatasync(_ fd: Int32, path: String) throws {
        try syscall("fdatasync", path) { Int(Glibc.fdatasync(fd)) }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        try syscall("fsync", path) { Int(Glibc.fsync(fd)) }
    }

    /// Makes a rename or unlink in `dir` durable.
    static func fsyncDirectory(_ dir: String) throws {
        let fd = try open(dir, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: dir)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { (p: UnsafeMutableRawBufferPointer) throws in
                try syscall("read", path) { Glibc.read(fd, p.baseAddress!, p.count) }
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Writes `bytes` to `path` atomically: temp file, fsync, rename, fsync the directory.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], dir: String) throws {
        let tmp = path + ".tmp"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try writeAll(fd, bytes, path: tmp)
            try fsync(fd, path: tmp)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try syscall("rename", path) { Int(rename(tmp, path)) }
        try fsyncDirectory(dir)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func mkdirs(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if !exists(prefix) {
                try syscall("mkdir", prefix) { Int(mkdir(prefix, 0o755)) }
            }
        }
    }

    /// Names in `dir`, unsorted; an absent directory is empty.
    static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
