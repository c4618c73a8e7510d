import CXlsxWriter
import CallsheetCore

/// An Excel workbook written with libxlsxwriter in constant-memory mode (rows go to disk as they
/// are written): one sheet, the header bold and frozen, phones and ids as text cells (Excel never
/// turns `+15551234567` into `1.55512E+10`), times and dates as dates, numbers as numbers, and
/// formula-like text neutralised as in CSV.
final class XLSXExportWriter {
    private let workbook: UnsafeMutablePointer<lxw_workbook>
    private let sheet: UnsafeMutablePointer<lxw_worksheet>
    private let bold: UnsafeMutablePointer<lxw_format>
    private let timeFormat: UnsafeMutablePointer<lxw_format>
    private let dateFormat: UnsafeMutablePointer<lxw_format>
    private let textFormat: UnsafeMutablePointer<lxw_format>
    private var row: lxw_row_t = 0
    private var closed = false

    /// - Parameter temporaryDirectory: where libxlsxwriter keeps its row files while it writes.
    init(path: String, headers: [String], columns: [ExportColumn], temporaryDirectory: String) throws(CallsheetError) {
        var options = lxw_workbook_options()
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        options.use_zip64 = UInt8(LXW_TRUE.rawValue)
        let made = temporaryDirectory.withCString { tmp in
            options.tmpdir = UnsafeMutablePointer(mutating: tmp)
            return workbook_new_opt(path, &options)
        }
        guard let workbook = made, let sheet = workbook_add_worksheet(workbook, "Contacts"),
              let bold = workbook_add_format(workbook), let timeFormat = workbook_add_format(workbook),
              let dateFormat = workbook_add_format(workbook), let textFormat = workbook_add_format(workbook) else {
            throw CallsheetError(.unavailable, "the workbook could not be created")
        }
        self.workbook = workbook
        self.sheet = sheet
        self.bold = bold
        self.timeFormat = timeFormat
        self.dateFormat = dateFormat
        self.textFormat = textFormat
        format_set_bold(bold)
        format_set_num_format(timeFormat, "yyyy-mm-dd hh:mm:ss")
        format_set_num_format(dateFormat, "yyyy-mm-dd")
        // "@": the Text number format, so a cell typed over later stays text too.
        format_set_num_format(textFormat, "@")
        worksheet_freeze_panes(sheet, 1, 0)
        for (index, column) in columns.enumerated() {
            let width: Double = column == .notes ? 40 : column.isTime ? 20 : column == .phone ? 16 : 18
            worksheet_set_column(sheet, lxw_col_t(index), lxw_col_t(index), width, column == .phone || column == .id ? textFormat : nil)
        }
        for (index, header) in headers.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(index), header, bold)
        }
        row = 1
    }

    /// Excel's limit: 1,048,576 rows a sheet (the header is one).
    static let maximumRows = 1_048_575

    func write(_ values: [ExportValue]) throws(CallsheetError) {
        guard Int(row) <= Self.maximumRows else {
            throw CallsheetError(.limit, "an Excel sheet holds at most \(Self.maximumRows) contacts; export CSV, or a smaller selection")
        }
        for (index, value) in values.enumerated() {
            let column = lxw_col_t(index)
            var status = LXW_NO_ERROR
            switch value {
            case .empty: continue
            case .text(let text):
                status = worksheet_write_string(sheet, row, column, ExportValue.neutralized(text), nil)
            case .literal(let text):
                // A text cell is never evaluated: the number stays as typed, without a quote.
                status = worksheet_write_string(sheet, row, column, text, textFormat)
            case .number(let number):
                status = worksheet_write_number(sheet, row, column, Double(number), nil)
            case .decimal(let text):
                if let number = Double(text) { status = worksheet_write_number(sheet, row, column, number, nil) } else {
                    status = worksheet_write_string(sheet, row, column, text, nil)
                }
            case .time(let time):
                status = worksheet_write_unixtime(sheet, row, column, time / 1000, timeFormat)
            case .date(let text):
                let parts = text.split(separator: "-").compactMap { Int($0) }
                if parts.count == 3 {
                    var date = lxw_datetime(year: Int32(parts[0]), month: Int32(parts[1]), day: Int32(parts[2]), hour: 0, min: 0, sec: 0)
                    status = worksheet_write_datetime(sheet, row, column, &date, dateFormat)
                } else {
                    status = worksheet_write_string(sheet, row, column, text, nil)
                }
            case .bool(let flag):
                status = worksheet_write_boolean(sheet, row, column, flag ? 1 : 0, nil)
            }
            guard status == LXW_NO_ERROR else {
                throw CallsheetError(.unavailable, "the workbook could not be written: \(String(cString: lxw_strerror(status)))")
            }
        }
        row += 1
    }

    /// Writes the zip container; the file is whole only after this.
    func close() throws(CallsheetError) {
        guard !closed else { return }
        closed = true
        let status = workbook_close(workbook)
        guard status == LXW_NO_ERROR else { throw CallsheetError(.unavailable, "the workbook could not be written: \(String(cString: lxw_strerror(status)))") }
    }

    deinit {
        if !closed { _ = workbook_close(workbook) }
    }
}
