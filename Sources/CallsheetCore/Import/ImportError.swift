/// Error codes of the import commands, on top of the shared ones (docs/PROTOCOL.md, "Import").
extension CallsheetError.Code {
    /// The file is not CSV as RFC 4180 describes it (an unclosed quote, text after a closing quote).
    public static let malformedCSV = Self(rawValue: "MALFORMED_CSV")
    /// The bytes are not UTF-8 (the message gives the byte offset) or are UTF-16.
    public static let encoding = Self(rawValue: "ENCODING")
    /// Strict import refused because some rows are invalid; nothing was stored.
    public static let importRejected = Self(rawValue: "IMPORT_REJECTED")
    /// The Google Sheet is not shared publicly (a login page, 401 or 403).
    public static let sheetPrivate = Self(rawValue: "SHEET_PRIVATE")
    /// The Google Sheet does not exist (404).
    public static let sheetNotFound = Self(rawValue: "SHEET_NOT_FOUND")
    /// Fetching the Google Sheet failed: a timeout, a network error, or an unexpected reply.
    public static let sheetUnavailable = Self(rawValue: "SHEET_UNAVAILABLE")
    /// Too many Google Sheets imports in the last hour.
    public static let rateLimited = Self(rawValue: "RATE_LIMITED")
}
