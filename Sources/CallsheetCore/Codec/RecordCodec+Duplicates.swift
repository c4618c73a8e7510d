/// Duplicate settings and undo entries (change tags 14 and 16; docs/STORAGE.md).
extension RecordCodec {
    static func encode(_ value: DuplicateSettings, into writer: inout BinaryWriter) {
        var mask: UInt8 = 0
        for (bit, rule) in DuplicateSettings.Rule.allCases.enumerated() where value.rules.contains(rule) { mask |= 1 << bit }
        writer.byte(mask)
        writer.byte(UInt8(value.threshold))
        writer.bool(value.gmailNormalization)
        writer.byte(UInt8(DuplicateSettings.Action.allCases.firstIndex(of: value.action) ?? 0))
        writer.bool(value.autoMerge)
        writer.byte(UInt8(value.autoMergeThreshold))
        writer.byte(UInt8(DuplicateSettings.ConflictRule.allCases.firstIndex(of: value.conflictRule) ?? 0))
        writer.varint(value.undoRetentionDays)
    }

    static func decodeDuplicateSettings(_ reader: inout BinaryReader) throws(CallsheetError) -> DuplicateSettings {
        let start = reader.offset
        var settings = DuplicateSettings()
        let mask = try reader.byte()
        let rules = DuplicateSettings.Rule.allCases
        guard mask >> rules.count == 0 else { throw reader.corrupt("unknown duplicate rule bits \(mask)", at: start) }
        settings.rules = Set(rules.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
        settings.threshold = Int(try reader.byte())
        settings.gmailNormalization = try reader.bool()
        let action = Int(try reader.byte())
        settings.autoMerge = try reader.bool()
        settings.autoMergeThreshold = Int(try reader.byte())
        let conflict = Int(try reader.byte())
        settings.undoRetentionDays = try reader.int(atMost: 3650)
        guard settings.threshold <= 100, settings.autoMergeThreshold <= 100, action < DuplicateSettings.Action.allCases.count,
              conflict < DuplicateSettings.ConflictRule.allCases.count, settings.undoRetentionDays >= 1 else {
            throw reader.corrupt("duplicate settings out of range", at: start)
        }
        settings.action = DuplicateSettings.Action.allCases[action]
        settings.conflictRule = DuplicateSettings.ConflictRule.allCases[conflict]
        return settings
    }

    static func encode(_ entry: UndoEntry, into writer: inout BinaryWriter) {
        writer.varint(entry.id)
        writer.byte(UInt8(UndoEntry.Kind.allCases.firstIndex(of: entry.kind) ?? 0))
        writer.string(entry.summary)
        writer.varint(entry.userID)
        writer.string(entry.userName)
        writer.signed(entry.createdAt)
        writer.optionalSigned(entry.undoneAt)
        writer.varint(entry.departments.count)
        for department in entry.departments { writer.varint(department) }
        writer.varint(entry.stepCount)
        writer.data(entry.encodedSteps)
        writer.bool(entry.merge != nil)
        if let merge = entry.merge {
            writer.varint(merge.survivor)
            writer.varint(merge.merged.count)
            for id in merge.merged { writer.varint(id) }
            writer.string(merge.rule)
            writer.byte(UInt8(clamping: merge.score))
            writer.varint(merge.winners.count)
            for (field, id) in merge.winners {
                writer.string(field)
                writer.varint(id)
            }
        }
    }

    static func decodeUndoEntry(_ reader: inout BinaryReader) throws(CallsheetError) -> UndoEntry {
        let start = reader.offset
        let id = try reader.id()
        let kind = Int(try reader.byte())
        guard id > 0, kind < UndoEntry.Kind.allCases.count else { throw reader.corrupt("undo entry \(id) of unknown kind \(kind)", at: start) }
        let summary = try reader.string()
        let userID = try reader.id()
        let userName = try reader.string()
        let createdAt = try reader.timestamp()
        let undoneAt = try reader.optionalTimestamp()
        var departments: [DepartmentID] = []
        for _ in 0..<(try reader.count()) { departments.append(try reader.id()) }
        // A step is two changes of at least two bytes each.
        let count = try reader.count(minimumBytes: 4)
        let stepsStart = reader.offset
        let encoded = try reader.data()
        do {
            try checkSteps(encoded, count: count)
        } catch {
            throw reader.corrupt("undo entry \(id): \(error.message)", at: stepsStart)
        }
        var merge: UndoEntry.Merge?
        if try reader.bool() {
            let survivor = try reader.id()
            var merged: [ContactID] = []
            for _ in 0..<(try reader.count()) { merged.append(try reader.id()) }
            let rule = try reader.string()
            let score = Int(try reader.byte())
            var winners: [(String, ContactID)] = []
            for _ in 0..<(try reader.count(minimumBytes: 2)) { winners.append((try reader.string(), try reader.id())) }
            merge = UndoEntry.Merge(survivor: survivor, merged: merged, rule: rule, score: score, winners: winners)
        }
        return UndoEntry(
            id: id, kind: UndoEntry.Kind.allCases[kind], summary: summary, userID: userID, userName: userName, createdAt: createdAt,
            undoneAt: undoneAt, departments: departments, encodedSteps: encoded, stepCount: count, merge: merge)
    }

    /// The `count` steps of an undo entry, each a contact change and its reverse.
    /// - Throws: `corrupt` for anything else, a step of another change, or trailing bytes.
    static func decodeSteps(_ bytes: [UInt8], count: Int) throws(CallsheetError) -> [UndoEntry.Step] {
        var steps: [UndoEntry.Step] = []
        steps.reserveCapacity(min(count, bytes.count / 4))
        try forEachStep(bytes, count: count) { steps.append($0) }
        return steps
    }

    /// Checks steps as ``decodeSteps(_:count:)`` does without keeping them: a load checks an
    /// import's million steps this way instead of building an array of them it would drop.
    static func checkSteps(_ bytes: [UInt8], count: Int) throws(CallsheetError) {
        try forEachStep(bytes, count: count) { _ in }
    }

    private static func forEachStep(_ bytes: [UInt8], count: Int, _ body: (UndoEntry.Step) -> Void) throws(CallsheetError) {
        var reader = BinaryReader(bytes)
        for _ in 0..<count {
            let start = reader.offset
            let forward = try decodeChange(&reader), inverse = try decodeChange(&reader)
            // Only contact changes are undone (and an entry never nests another).
            guard forward.contactID != nil, inverse.contactID == forward.contactID else {
                throw reader.corrupt("a step that is not one contact's change", at: start)
            }
            body(UndoEntry.Step(forward: forward, inverse: inverse))
        }
        guard reader.isAtEnd else { throw reader.corrupt("trailing bytes after the steps") }
    }
}
