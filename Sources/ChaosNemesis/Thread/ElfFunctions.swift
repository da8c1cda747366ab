import CChaosSys
import Foundation
import Synchronization

/// The functions of a node's executable, read from its ELF symbol table, and where they are in a running process:
/// what a `stop_at` pattern is matched against and where its breakpoints go.
///
/// Only the executable itself, not its shared libraries: a function of libc or of a runtime is entered by every
/// thread of every kind, which is no aim at a window. Names are matched demangled (Swift through the runtime's
/// `swift_demangle`, C++ through `__cxa_demangle`) and as written in the symbol table, so a plan can name
/// `RaftNode.LogWaitTable.register(` as well as `_ZN4braft10Replicator18_wait_more_entriesEv`.
struct ElfFunctions: Sendable {
    struct Function: Sendable, Hashable {
        /// The name in the symbol table.
        var symbol: String
        /// The demangled name (the symbol when it is not mangled).
        var name: String
        /// The symbol's value: its address before the executable is relocated.
        var value: UInt64
    }

    var functions: [Function]
    /// Whether the executable is position-independent (ET_DYN): its load address is added to every value.
    var relocatable: Bool
    /// The page-aligned virtual address of the first loadable segment (what maps at file offset 0).
    var firstSegment: UInt64

    /// The functions whose demangled name (or symbol) matches `pattern`, one per address.
    func matching(_ pattern: Regex<AnyRegexOutput>) -> [Function] {
        var seen = Set<UInt64>()
        return functions.filter { function in
            (function.name.contains(pattern) || function.symbol.contains(pattern)) && seen.insert(function.value).inserted
        }
    }

    /// Where function `value` is in process `pid`, whose executable is mapped at `base` (the start of its mapping
    /// at file offset 0).
    func address(of value: UInt64, base: UInt64) -> UInt64 {
        relocatable ? base &+ (value &- firstSegment) : value
    }

    // MARK: - Reading

    private static let cache = Mutex<[String: ElfFunctions]>([:])

    /// The functions of the executable at `path` (kept per path, size and modification time: demangling tens of
    /// thousands of names takes a moment, and a restarted node runs the same file).
    /// - Throws: `NemesisError` when the file is not a 64-bit little-endian ELF file with a symbol table.
    static func read(path: String) throws(NemesisError) -> ElfFunctions {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let key = "\(path)|\((attributes?[.size] as? Int) ?? -1)|\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if let known = cache.withLock({ $0[key] }) { return known }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw .injectFailed("stop_at: cannot read the node's executable \(path)")
        }
        let parsed = try data.withUnsafeBytes { bytes in
            Result { () throws(NemesisError) -> ElfFunctions in try parse(bytes, path: path) }
        }.get()
        cache.withLock { $0[key] = parsed }
        return parsed
    }

    /// The executable of `pid` and the address its first segment is mapped at (from /proc/PID/maps).
    static func mapping(of pid: Int32) -> (path: String, base: UInt64)? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"),
              let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            // start-end perms offset dev inode path
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5...].joined(separator: " ") == exe, UInt64(fields[2], radix: 16) == 0,
                  let dash = fields[0].firstIndex(of: "-"), let start = UInt64(fields[0][..<dash], radix: 16)
            else { continue }
            return (exe, start)
        }
        return nil
    }

    private static func parse(_ b: UnsafeRawBufferPointer, path: String) throws(NemesisError) -> ElfFunctions {
        func u16(_ at: Int) -> UInt16 { b.loadUnaligned(fromByteOffset: at, as: UInt16.self) }
        func u32(_ at: Int) -> UInt32 { b.loadUnaligned(fromByteOffset: at, as: UInt32.self) }
        func u64(_ at: Int) -> UInt64 { b.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        // ELFCLASS64 (2), ELFDATA2LSB (1): the only kind chaos runs on.
        guard b.count >= 64, b[0] == 0x7F, b[1] == 0x45, b[2] == 0x4C, b[3] == 0x46, b[4] == 2, b[5] == 1 else {
            throw .injectFailed("stop_at: \(path) is not a 64-bit little-endian ELF executable")
        }
        let type = u16(16)
        let phoff = Int(u64(32)), phentsize = Int(u16(54)), phnum = Int(u16(56))
        let shoff = Int(u64(40)), shentsize = Int(u16(58)), shnum = Int(u16(60))
        var firstSegment = UInt64.max
        for i in 0..<phnum {
            let at = phoff + i * phentsize
            guard at + 56 <= b.count else { break }
            if u32(at) == 1 { firstSegment = min(firstSegment, u64(at + 16) & ~0xFFF) }  // PT_LOAD p_vaddr
        }
        // The full symbol table (SHT_SYMTAB, 2) names every function; a stripped file has only the dynamic one
        // (SHT_DYNSYM, 11) with the exported functions.
        var tables: [(offset: Int, size: Int, entsize: Int, strings: Int, stringsSize: Int, kind: UInt32)] = []
        for i in 0..<shnum {
            let at = shoff + i * shentsize
            guard at + 64 <= b.count else { break }
            let kind = u32(at + 4)
            guard kind == 2 || kind == 11 else { continue }
            let link = shoff + Int(u32(at + 40)) * shentsize
            guard link + 64 <= b.count else { continue }
            tables.append((Int(u64(at + 24)), Int(u64(at + 32)), max(24, Int(u64(at + 56))), Int(u64(link + 24)),
                           Int(u64(link + 32)), kind))
        }
        guard let table = tables.first(where: { $0.kind == 2 }) ?? tables.first else {
            throw .injectFailed("stop_at: \(path) has no symbol table (stripped?); build the node with symbols")
        }
        var functions: [Function] = []
        var offset = table.offset
        while offset + 24 <= min(b.count, table.offset + table.size) {
            defer { offset += table.entsize }
            let info = b[offset + 4]
            let section = u16(offset + 6)
            let value = u64(offset + 8)
            // STT_FUNC (2), defined here (section index not SHN_UNDEF).
            guard info & 0xF == 2, section != 0, value != 0 else { continue }
            let nameAt = table.strings + Int(u32(offset))
            guard nameAt < min(b.count, table.strings + table.stringsSize) else { continue }
            let symbol = String(cString: b.baseAddress!.advanced(by: nameAt).assumingMemoryBound(to: CChar.self))
            functions.append(Function(symbol: symbol, name: demangle(symbol), value: value))
        }
        return ElfFunctions(functions: functions, relocatable: type == 3, firstSegment: firstSegment == .max ? 0 : firstSegment)
    }

    /// The readable form of a Swift or C++ symbol; the symbol itself when it is neither.
    static func demangle(_ symbol: String) -> String {
        if symbol.hasPrefix("$s") || symbol.hasPrefix("_$s") {
            return symbol.withCString { raw in
                guard let out = _swift_demangle(raw, strlen(raw), nil, nil, 0) else { return symbol }
                defer { free(out) }
                return withoutPrivateDiscriminators(String(cString: out))
            }
        }
        if symbol.hasPrefix("_Z"), let out = cchaos_cxx_demangle(symbol) {
            defer { free(out) }
            return String(cString: out)
        }
        return symbol
    }
}

extension ElfFunctions {
    /// `RaftNode.WALWriter.(process in _DCD1CD81…)(…)` → `RaftNode.WALWriter.process(…)`: a private function's
    /// name carries its file's hash, which no plan should have to spell.
    static func withoutPrivateDiscriminators(_ name: String) -> String {
        var text = Substring(name)
        var out = ""
        while let marker = text.range(of: " in _") {
            let close = text[marker.upperBound...].firstIndex(of: ")")
            let open = text[..<marker.lowerBound].lastIndex(of: "(")
            guard let open, let close,
                  text[marker.upperBound..<close].allSatisfy({ $0.isHexDigit }) else {
                out += text[..<marker.upperBound]
                text = text[marker.upperBound...]
                continue
            }
            out += text[..<open] + text[text.index(after: open)..<marker.lowerBound]
            text = text[text.index(after: close)...]
        }
        return out + text
    }
}

/// The Swift runtime's demangler (exported by libswiftCore for tools such as this one).
@_silgen_name("swift_demangle")
private func _swift_demangle(_ mangled: UnsafePointer<CChar>?, _ length: Int, _ output: UnsafeMutablePointer<CChar>?,
                             _ outputSize: UnsafeMutablePointer<Int>?, _ flags: UInt32) -> UnsafeMutablePointer<CChar>?
