import CallsheetCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a public Google Sheet as CSV over HTTPS (URLSession), with a time and size limit.
///
/// A sheet that is not shared answers with a login page (HTML after a redirect) or 401/403;
/// a missing one with 404. Each gets its own error code.
struct SheetFetcher: Sendable {
    /// Where `/spreadsheets/d/<id>/export` is served; tests point it at 127.0.0.1.
    var baseURL: String
    var timeout: Double

    /// The CSV bytes of the sheet at `shareURL`.
    /// - Throws: `BAD_REQUEST` (not a share URL), `SHEET_PRIVATE`, `SHEET_NOT_FOUND`,
    ///   `SHEET_UNAVAILABLE` (timeout, network, other status) or `LIMIT` (over `maxBytes`).
    func fetch(_ shareURL: String, maxBytes: Int) async throws(CallsheetError) -> [UInt8] {
        let sheet = try GoogleSheetURL(shareURL)
        guard let url = URL(string: sheet.exportURL(base: baseURL)) else {
            throw CallsheetError(.badRequest, "cannot build the export URL of '\(shareURL)'")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let collector = DownloadCollector(maxBytes: maxBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<DownloadCollector.Outcome, Never>) in
            collector.start(session.dataTask(with: request), continuation: continuation)
        }
        switch outcome {
        case .tooLarge:
            throw CallsheetError(.limit, "the sheet is larger than this organization's import limit of \(maxBytes) bytes (ORG.SET max_import_bytes)")
        case .failed(let message, let timedOut):
            throw CallsheetError(.sheetUnavailable, timedOut
                ? "the sheet did not arrive within \(Int(timeout)) seconds; try again, or export it as CSV and import the file"
                : "cannot fetch the sheet: \(message)")
        case .finished(let status, let contentType, let finalURL, let bytes):
            if status == 401 || status == 403 || finalURL.contains("accounts.google.com") || finalURL.contains("ServiceLogin") {
                throw CallsheetError(.sheetPrivate, "the sheet is not public; in Google Sheets choose Share → General access → Anyone with the link (Viewer)")
            }
            if status == 404 {
                throw CallsheetError(.sheetNotFound, "no sheet at \(shareURL.prefix(100)) (404); check the link and the tab (gid)")
            }
            guard (200..<300).contains(status) else {
                throw CallsheetError(.sheetUnavailable, "Google Sheets answered HTTP \(status); try again later")
            }
            let head = String(decoding: bytes.prefix(512), as: UTF8.self).lowercased()
            if contentType.lowercased().contains("text/html") || head.contains("<!doctype html") || head.contains("<html") {
                throw CallsheetError(.sheetPrivate, "the sheet answered with a web page instead of CSV (a sign-in page): share it with Anyone with the link (Viewer)")
            }
            return bytes
        }
    }
}

/// Collects a download's bytes, cancelling once it exceeds the limit; resumes its continuation once.
private final class DownloadCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked Sendable: every mutable field is guarded by `lock`.
    enum Outcome: Sendable {
        case finished(status: Int, contentType: String, finalURL: String, bytes: [UInt8])
        case tooLarge
        case failed(String, timedOut: Bool)
    }

    private let lock = NSLock()
    private let maxBytes: Int
    private var bytes: [UInt8] = []
    private var exceeded = false
    private var continuation: CheckedContinuation<Outcome, Never>?

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    func start(_ task: URLSessionDataTask, continuation: CheckedContinuation<Outcome, Never>) {
        lock.withLock { self.continuation = continuation }
        task.resume()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse, completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if response.expectedContentLength > Int64(maxBytes) {
            lock.withLock { exceeded = true }
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = lock.withLock { () -> Bool in
            bytes.append(contentsOf: data)
            if bytes.count > maxBytes { exceeded = true }
            return exceeded
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (continuation, outcome): (CheckedContinuation<Outcome, Never>?, Outcome) = lock.withLock {
            let pending = self.continuation
            self.continuation = nil
            if exceeded { return (pending, .tooLarge) }
            if let error {
                let timedOut = (error as? URLError)?.code == .timedOut
                return (pending, .failed(error.localizedDescription, timedOut: timedOut))
            }
            let http = task.response as? HTTPURLResponse
            return (pending, .finished(
                status: http?.statusCode ?? 0,
                contentType: http?.value(forHTTPHeaderField: "Content-Type") ?? "",
                finalURL: http?.url?.absoluteString ?? task.currentRequest?.url?.absoluteString ?? "",
                bytes: bytes
            ))
        }
        continuation?.resume(returning: outcome)
    }
}
