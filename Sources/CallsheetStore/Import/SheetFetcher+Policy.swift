import AsyncHTTPClient
import CallsheetCore
import Foundation

/// Where a sheet download may be redirected.
///
/// Allowed: the sheets host itself (`docs.google.com`, or the configured base URL's host) and
/// Google's download host, any `*.googleusercontent.com` (Google answers an export URL with a
/// redirect there, e.g. `doc-0s-8c-sheets.googleusercontent.com`, which serves the CSV). Over
/// `https`, or the base URL's own scheme (`http` in tests). A redirect to Google's sign-in page
/// (`accounts.google.com`, `ServiceLogin`) means the sheet is not shared: `SHEET_PRIVATE`, not
/// followed. Anything else is refused with `SHEET_UNAVAILABLE` naming the host.
struct SheetHostPolicy: Sendable, Equatable {
    /// The host of the export URL, lowercased.
    var sheetsHost: String
    /// Schemes a redirect may use: `https`, and the export URL's own.
    var schemes: Set<String>

    /// The suffix of Google's download hosts.
    static let downloadHostSuffix = ".googleusercontent.com"

    init(sheetsURL: URL) {
        sheetsHost = Self.normalized(sheetsURL.host ?? "")
        schemes = ["https", (sheetsURL.scheme ?? "https").lowercased()]
    }

    /// Whether a redirect to `url` may be followed.
    func allows(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), schemes.contains(scheme), let host = url.host.map(Self.normalized), !host.isEmpty else {
            return false
        }
        return host == sheetsHost || host.hasSuffix(Self.downloadHostSuffix)
    }

    /// Whether `url` is Google's sign-in page (where an unshared sheet sends its visitors).
    static func isSignIn(_ url: URL) -> Bool {
        url.host.map(normalized) == "accounts.google.com" || url.absoluteString.contains("ServiceLogin")
    }

    /// The URL a redirect's `Location` leads to from `current`, if it may be followed.
    /// - Throws: `SHEET_PRIVATE` for the sign-in page, `SHEET_UNAVAILABLE` for another host.
    func follow(_ location: String, from current: URL) throws(CallsheetError) -> URL {
        guard let target = URL(string: location.trimmingCharacters(in: .whitespaces), relativeTo: current)?.absoluteURL, target.host != nil else {
            throw CallsheetError(.sheetUnavailable, "Google Sheets redirected the download to an address that cannot be read ('\(location.prefix(100))'); try again later")
        }
        if Self.isSignIn(target) { throw SheetFetcher.privateSheet }
        guard allows(target) else {
            let host = target.host.map(Self.normalized) ?? ""
            let scheme = target.scheme?.lowercased() ?? ""
            throw CallsheetError(.sheetUnavailable, host == sheetsHost || host.hasSuffix(Self.downloadHostSuffix)
                ? "the sheet's download was redirected to \(scheme)://\(host), over \(scheme), which is refused; try again later, or export it as CSV and import the file"
                : "the sheet's download was redirected to \(host.prefix(100)), which is not a Google Sheets host; refused (export the sheet as CSV and import the file)")
        }
        return target
    }

    static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        while host.hasSuffix(".") { host.removeLast() }
        return host
    }
}

/// The proxy for sheet downloads, from the environment as curl and most tools read it.
///
/// For an `https` sheets URL: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`; for
/// `http` (tests): `http_proxy`, `HTTP_PROXY`, then the same fallbacks. The value is
/// `[http://][user:password@]host[:port]` (port 80 by default; `CONNECT` through it, so TLS
/// still reaches Google) or `socks5://host[:port]` (1080). `NO_PROXY` / `no_proxy`: hosts
/// separated by commas, each matching itself and its subdomains (`.example.com`,
/// `*.example.com` and `example.com` alike), `*` for all; addresses match exactly, ranges
/// (CIDR) are not read. A loopback sheets host (tests) is never proxied. The choice is made for
/// the sheets host and holds for its redirects (the client has one proxy setting).
struct SheetProxySettings: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case http
        case socks
    }

    var kind: Kind
    var host: String
    var port: Int
    var username: String?
    var password: String?

    /// The proxy for `url`, or nil for a direct connection.
    /// - Throws: `SHEET_UNAVAILABLE` naming the variable when its value cannot be used.
    init?(environment: [String: String], for url: URL) throws(CallsheetError) {
        let scheme = url.scheme?.lowercased() ?? "https"
        let host = SheetHostPolicy.normalized(url.host ?? "")
        let names = (scheme == "http" ? ["http_proxy", "HTTP_PROXY"] : ["https_proxy", "HTTPS_PROXY"]) + ["all_proxy", "ALL_PROXY"]
        var found: (name: String, value: String)?
        for name in names {
            if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                found = (name, value)
                break
            }
        }
        guard let found else { return nil }
        let name = found.name, value = found.value
        if Self.isLoopback(host) || Self.bypasses(host, noProxy: environment["no_proxy"] ?? environment["NO_PROXY"] ?? "") { return nil }

        let unusable = { (reason: String) in
            CallsheetError(.sheetUnavailable, "cannot use the proxy \(name)=\(Self.redacted(value)) for Google Sheets: \(reason)")
        }
        let text = value.contains("://") ? value : "http://" + value
        guard let components = URLComponents(string: text), let proxyHost = components.host.map(SheetHostPolicy.normalized), !proxyHost.isEmpty else {
            throw unusable("expected http://[user:password@]host:port")
        }
        switch components.scheme?.lowercased() {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks
        case let other: throw unusable("a proxy reached over \(other ?? "?") is not supported (use http:// or socks5://)")
        }
        self.host = proxyHost
        port = components.port ?? (kind == .http ? 80 : 1080)
        guard (1...65535).contains(port) else { throw unusable("port \(port) is out of range") }
        username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        if kind == .socks, username != nil { throw unusable("a SOCKS proxy with a user name is not supported") }
    }

    init(kind: Kind, host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// AsyncHTTPClient's form.
    var clientProxy: HTTPClient.Configuration.Proxy {
        switch kind {
        case .socks:
            return .socksServer(host: host, port: port)
        case .http:
            let authorization = username.map { HTTPClient.Authorization.basic(username: $0, password: password ?? "") }
            return .server(host: host, port: port, authorization: authorization)
        }
    }

    /// Whether `host` matches an entry of a `NO_PROXY` list.
    static func bypasses(_ host: String, noProxy: String) -> Bool {
        for raw in noProxy.split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix("*") { entry.removeFirst() }
            if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.hasPrefix("[") {
                // [v6]:port or [v6]
                entry = String(entry.dropFirst().prefix { $0 != "]" })
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                entry = String(entry[..<colon])
            }
            entry = SheetHostPolicy.normalized(entry)
            guard !entry.isEmpty else { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1"
    }

    /// `value` without its password, for messages.
    static func redacted(_ value: String) -> String {
        guard let at = value.lastIndex(of: "@") else { return value }
        let start = value.range(of: "://").map(\.upperBound) ?? value.startIndex
        return String(value[..<start]) + "***" + String(value[at...])
    }
}
