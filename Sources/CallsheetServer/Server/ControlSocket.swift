#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file of the control socket: its path's limits, its mode, its removal.
/// (docs/PROTOCOL.md, "The control socket"; docs/STORAGE.md, "Directory layout".)
enum ControlSocket {
    /// The longest path a Unix-domain socket address holds (`sun_path` less its final NUL).
    static let maximumPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// True when `path` fits in a socket address.
    static func fits(_ path: String) -> Bool { path.utf8.count <= maximumPathBytes }

    /// Throws unless `path` fits in a socket address.
    static func checkPath(_ path: String) throws(ServerError) {
        guard fits(path) else {
            throw ServerError(
                .invalidConfiguration,
                "the control socket path \(path) is \(path.utf8.count) bytes; a Unix-domain socket path holds at most \(maximumPathBytes): use a data directory with a shorter path")
        }
    }

    /// Makes the socket file `0600`: only its user may connect (the data directory is `0700` too).
    static func makePrivate(_ path: String) throws(ServerError) {
        guard chmod(path, 0o600) == 0 else {
            let code = errno
            throw ServerError(.bindFailed, "cannot make the control socket \(path) private: \(String(cString: strerror(code)))")
        }
    }

    /// Removes the socket file if it is one (never anything else that may have taken its name).
    static func remove(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else { return }
        unlink(path)
    }
}
