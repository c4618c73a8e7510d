import CallsheetCore

/// A bound on Google Sheets fetches (previews, dry runs and imports alike): at most `limit` per
/// user in any `window`. The product's limit of imports an hour is counted from the import jobs
/// (`ImportRunner.admitSheetImport`); this one only keeps the sheets host from being hammered.
/// A sliding window over the times of recent fetches; a pure value, the clock is passed in.
struct SheetRateLimiter: Sendable {
    var limit = 10
    var window: Timestamp = 3_600_000
    private var recent: [String: [Timestamp]] = [:]

    init(limit: Int = 10, window: Timestamp = 3_600_000) {
        self.limit = limit
        self.window = window
    }

    /// Counts one fetch by `user` at `now`.
    /// - Throws: `RATE_LIMITED` saying when the next is allowed; nothing is counted then.
    mutating func admit(_ user: String, now: Timestamp) throws(CallsheetError) {
        var times = recent[user, default: []].filter { $0 > now - window }
        if times.count >= limit, let oldest = times.first {
            let wait = (oldest + window - now + 59_999) / 60_000
            recent[user] = times
            throw CallsheetError(.rateLimited, "at most \(limit) Google Sheets fetches (previews, dry runs and imports) an hour per user; try again in \(wait) minute\(wait == 1 ? "" : "s"), or export the sheet as CSV and import the file")
        }
        times.append(now)
        recent[user] = times
    }
}
