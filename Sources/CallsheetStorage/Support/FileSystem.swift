#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directory-level POSIX calls: listing, rename, unlink, directory fsync.
public enum FileSystem {
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in `directory` (not `.`/`..`), unsorted.
    static func list(_ directory: String) throws(StorageError) -> [String] {
        guard let dir = opendir(directory) else { throw .io("opendir", path: directory, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func createDirectory(_ path: String) throws(StorageError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .io("mkdir", path: path, errno: errno) }
    }

    static func syncDirectory(_ directory: String, faults: JournalFaultInjection? = nil) throws(StorageError) {
        let dir = try PosixFile.open(directory, flags: O_RDONLY | O_DIRECTORY)
        try dir.sync(faults: faults)
    }

    static func rename(_ from: String, to: String, faults: JournalFaultInjection? = nil) throws(StorageError) {
        if let code = faults?.take(.rename) { throw .io("rename to \(to)", path: from, errno: code) }
        if systemRename(from, to) != 0 { throw .io("rename to \(to)", path: from, errno: errno) }
    }

    static func remove(_ path: String) throws(StorageError) {
        if unlink(path) != 0 && errno != ENOENT { throw .io("unlink", path: path, errno: errno) }
    }

    /// Bytes an unprivileged process may still write on the filesystem holding `path`, if known.
    static func freeBytes(_ path: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// True for the `errno`s of a filesystem with no room left (`ENOSPC`, `EDQUOT`).
    static func isOutOfSpace(_ code: Int32?) -> Bool {
        code == ENOSPC || code == EDQUOT
    }

    /// A path next to `path` that does not exist yet: `path + suffix`, then `path + suffix + ".1"`, …
    public static func unusedPath(_ path: String, suffix: String) -> String {
        var candidate = path + suffix
        var n = 1
        while exists(candidate) {
            candidate = path + suffix + ".\(n)"
            n += 1
        }
        return candidate
    }
}

private func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
