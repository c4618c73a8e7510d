/// A Google Sheets share URL and the CSV export URL derived from it.
///
/// Accepted forms: `.../spreadsheets/d/ID/edit#gid=N`, `.../edit?usp=sharing`, `.../d/ID` and
/// published sheets `.../spreadsheets/d/e/KEY/pub?output=csv` (with an optional `gid`).
public struct GoogleSheetURL: Sendable, Hashable {
    /// The document id (or, for a published sheet, its `2PACX-…` key).
    public var id: String
    /// The tab, when the URL names one.
    public var gid: String?
    public var isPublished: Bool

    /// Reads a share URL.
    /// - Throws: `BAD_REQUEST` saying which form is expected.
    public init(_ text: String) throws(CallsheetError) {
        let url = text.trimmingSpaces()
        let wrong = CallsheetError(.badRequest, "'\(url.prefix(80))' is not a Google Sheets share URL; expected https://docs.google.com/spreadsheets/d/<id>/edit#gid=0 (Share → Anyone with the link)")
        guard let marker = url.firstRange(of: "/spreadsheets/d/") else { throw wrong }
        var rest = url[marker.upperBound...]
        isPublished = rest.hasPrefix("e/")
        if isPublished { rest = rest.dropFirst(2) }
        let idEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        id = String(rest[..<idEnd])
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), id.allSatisfy(\.isASCII) else { throw wrong }
        gid = nil
        for separator in ["#gid=", "?gid=", "&gid="] {
            guard let range = url.firstRange(of: separator) else { continue }
            let value = url[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            if !value.isEmpty { gid = String(value) }
        }
    }

    /// The CSV export URL under `base` (normally `https://docs.google.com`, without a trailing slash).
    public func exportURL(base: String) -> String {
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        if isPublished {
            return "\(root)/spreadsheets/d/e/\(id)/pub?output=csv" + (gid.map { "&gid=\($0)" } ?? "")
        }
        return "\(root)/spreadsheets/d/\(id)/export?format=csv&gid=\(gid ?? "0")"
    }
}
