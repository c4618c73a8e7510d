extension ImportCommand {
    private static let sourceUsage = "<FILE path|CSV bytes|BASE64 text|SHEET url>"
    private static let optionUsage = "[MAP \"col=field;...\"] [DUPLICATES skip|update|ask] [STRICT|LENIENT] [TAG <tag>|NOTAG] [DEPT <id>] [ENCODING utf-8|windows-1252]"

    /// Usage and help of the import commands, for `HELP` and completion.
    public static let catalog: [CommandSpec] = [
        CommandSpec("IMPORT.PREVIEW", "IMPORT.PREVIEW \(sourceUsage) [ROWS <n>] [ENCODING <e>]", "import", .manager,
                    "Headers, the first rows, the row count and the suggested column mapping (First + Last → name)."),
        CommandSpec("IMPORT.VALIDATE", "IMPORT.VALIDATE \(sourceUsage) \(optionUsage) [SHOW <n>]", "import", .manager,
                    "Dry run: one outcome per row (create, update, skip, duplicate, error with row/column/reason). Stores nothing."),
        CommandSpec("IMPORT.COMMIT", "IMPORT.COMMIT \(sourceUsage) \(optionUsage)", "import", .manager,
                    "Imports now, atomically; replies with created, updated, skipped and rejected counts and a job id."),
        CommandSpec("IMPORT.START", "IMPORT.START \(sourceUsage) \(optionUsage)", "import", .manager,
                    "Imports in the background; replies with a job id at once (IMPORT.STATUS follows it)."),
        CommandSpec("IMPORT.STATUS", "IMPORT.STATUS <job>", "import", .manager, "A job's state, rows processed of total, and counts."),
        CommandSpec("IMPORT.ERRORS", "IMPORT.ERRORS <job>", "import", .manager, "A job's per-row problems as CSV: row,column,code,reason."),
        CommandSpec("IMPORT.CANCEL", "IMPORT.CANCEL <job>", "import", .manager, "Stops a job that has not started storing; nothing is imported."),
        CommandSpec("IMPORT.JOBS", "IMPORT.JOBS [CURSOR <c>] [LIMIT <n>] [COUNT]", "import", .manager,
                    "Your organization's import jobs, newest first (managers: their own), LIMIT 1–1000 (default 50) a page; next_cursor leads to the next page."),
        CommandSpec("IMPORT.SETTINGS", "IMPORT.SETTINGS [duplicates|strictness|auto_tag <value>]", "import", .manager,
                    "The import defaults; admins change one (auto_tag may use {month} or {date}; none turns it off)."),
        CommandSpec("CONTACT.BULK", "CONTACT.BULK <json array>", "contacts", .manager,
                    "Creates many contacts in one atomic write, each checked as CONTACT.ADD; replies created count and per-item errors."),
    ]
}
