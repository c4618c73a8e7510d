import CallsheetCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A data directory holds every contact, every login and the secrets' hashes: it is private to
/// the user the store runs as (docs/STORAGE.md, "Permissions"). Directories are 0700 and files
/// 0600, whatever the umask the process was started with.
enum DataDirectoryPrivacy {
    /// Makes the process create files private from now on (umask 077), and makes what `path`
    /// already holds private: a directory or file open to others is logged loudly and closed.
    /// - Returns: the paths whose mode was tightened.
    @discardableResult
    static func secure(_ path: String, logger: Logger) -> [String] {
        umask(0o077)
        var tightened: [String] = []
        func tighten(_ item: String, directory: Bool) {
            var status = stat()
            guard lstat(item, &status) == 0, status.st_mode & S_IFMT != S_IFLNK else { return }
            let wanted: mode_t = directory ? 0o700 : 0o600
            guard status.st_mode & 0o077 != 0 else { return }
            if chmod(item, wanted) == 0 { tightened.append(item) }
        }
        tighten(path, directory: true)
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                let item = path + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: item, isDirectory: &isDirectory) else { continue }
                tighten(item, directory: isDirectory.boolValue)
            }
        }
        if !tightened.isEmpty {
            logger.warning("the data directory was readable by other users of this machine; made it private (directories 0700, files 0600)",
                           metadata: ["directory": "\(LogText.escaped(path))", "changed": "\(tightened.count)"])
        }
        return tightened
    }
}
