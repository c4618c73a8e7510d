import CallsheetCore
import CallsheetStorage
import Foundation

/// The seed inputs of each target, made from real, valid inputs by the real encoders (change
/// sets by `RecordCodec`, segments by the journal's framing, snapshots by `SnapshotWriter`),
/// each with the target's first byte. `callsheet-fuzz --write-seeds Fuzz/Corpus` writes them.
public enum SeedCorpus {
    public static func seeds(for target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        switch target {
        case .inline: return inlineSeeds
        case .resp: return respSeeds
        case .json: return jsonSeeds
        case .csv: return csvSeeds
        case .codec: return codecSeeds
        case .journal: return journalSeeds
        case .snapshot: return try snapshotSeeds()
        }
    }

    static func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let inlineLines = [
        "PING",
        "SET key value",
        "AUTH alice \"p@ss \\\"word\\\"\"",
        "CONTACT.ADD '{\"name\":\"Ann O\\'Neil\",\"phone\":\"+1 650 253 0000\",\"tags\":[\"VIP\"]}'",
        "CONTACT.SEARCH \"tag:vip  city:\\\"San Jose\\\"\" LIMIT 10 \t OFFSET 0",
        "ECHO \"\\x41\\x42\\xff\\n\\r\\t\\b\\a\\\\\" 'it''s' ab\"c d\"",
        "  \t\u{0B}\u{0C} spaced   out  ",
        "IMPORT.START acme https://example.com/contacts.csv ENCODING windows-1252",
        "\"\"",
        "''",
    ]

    static var inlineSeeds: [(name: String, bytes: [UInt8])] {
        inlineLines.enumerated().map { ("line-\($0.offset)", utf8($0.element)) }
    }

    /// `*n` then `$len` + data for each argument, as every redis client writes requests.
    static func multibulk(_ arguments: [[UInt8]]) -> [UInt8] {
        var bytes = utf8("*\(arguments.count)\r\n")
        for argument in arguments {
            bytes += utf8("$\(argument.count)\r\n") + argument + [13, 10]
        }
        return bytes
    }

    static var respSeeds: [(name: String, bytes: [UInt8])] {
        let ping = multibulk([utf8("PING")])
        let set = multibulk([utf8("SET"), utf8("key"), [0, 1, 2, 13, 10, 255]])
        let contact = multibulk([utf8("CONTACT.ADD"), utf8("acme"), utf8(jsonDocuments[1])])
        let inline = utf8("PING\r\nSET a \"b c\"\r\n")
        let streams: [(String, [UInt8])] = [
            ("ping", ping),
            ("set-binary", set),
            ("contact-add", contact),
            ("inline", inline),
            ("pipelined", ping + inline + set + utf8("\r\n\n*0\r\n*-1\r\n") + contact),
            ("empty-bulk", multibulk([utf8("ECHO"), []])),
            ("bad-quotes-then-ping", utf8("ECHO \"open\r\n") + ping),
            ("too-many", multibulk((0..<12).map { utf8("a\($0)") })),
        ]
        return streams.flatMap { name, stream in [("default-\(name)", [0] + stream), ("tight-\(name)", [1] + stream)] }
    }

    static let jsonDocuments = [
        #"{"name":"Zoë Øberg","phone":"+16502530000","email":"z@x.com","tags":["VIP","Q4"],"notes":"a,\"b\"\nc","custom_fields":{"industry":"A","value":1.25}}"#,
        #"{"name":"Ann","phone":"+1 650 253 0000","company":null,"tags":[]}"#,
        #"[1, -0, 0.5, -12.75e-3, 1E+2, 9223372036854775807, -9223372036854775808, 18446744073709551616, true, false, null]"#,
        #"{"escapes":"\u0041\u00e9\u4e2d\ud83d\ude00\/\b\f\n\r\t\\","empty":"","nested":[[[{"a":[{}]}]]]}"#,
        #"  {"filter":{"tags":{"any":["a","b"]},"created_after":"2026-01-01"},"sort":"-updated_at","limit":50}  "#,
        #""just a string""#,
        #"[{"name":"A","type":"dropdown","options":["x","y"],"visible_to":["manager","agent"],"required":true}]"#,
    ]

    static var jsonSeeds: [(name: String, bytes: [UInt8])] {
        jsonDocuments.enumerated().map { ("document-\($0.offset)", utf8($0.element)) }
    }

    static var csvSeeds: [(name: String, bytes: [UInt8])] {
        let files = [
            "Name,Phone,Email,Tags\r\nAnn,+16502530000,ann@example.com,VIP\r\nBob,(650) 253-0001,,\r\n",
            "\u{FEFF}Name,Phone,Notes\n\"O'Neil, Ann\",+44 20 7946 0958,\"line one\nline \"\"two\"\"\"\n\nZoë,+33 1 23 45 67 89,5\" floppy\n",
            "Name;Phone\r\nAnn;+16502530000\r\n",
            " Name , ,Phone\rAnn,x,1\rBob,y,2",
            "Name,Phone\n\"\",\"\"\n,\nlast,row,extra,fields,",
        ]
        var seeds = files.enumerated().map { ("file-\($0.offset)", utf8($0.element)) }
        seeds.append(("windows-1252", utf8("Name,Phone\r\nJos") + [0xE9] + utf8(",+34 600 000 000\r\n")))
        return seeds
    }

    // MARK: Binary formats

    static let organization = Organization(id: 7, name: "Acme", defaultRegion: "US", createdAt: 1_764_000_000_000)

    static var sampleContacts: [Contact] {
        [
            Contact(
                id: 1, organizationID: 7, departmentID: 2, createdByUserID: 3, name: "Zoë Øberg", phone: "+16502530000",
                email: "z@example.com", company: "Acme", tags: ["VIP", "Q4"], notes: "a,\"b\"\nc",
                customFields: ["industry": .text("A"), "seats": .integer(-12), "value": .decimal(1.25), "due": .date("2026-01-02"), "paid": .checkbox(true)],
                lastCalledAt: 1_764_000_100_000, lastCallOutcome: "answered", totalCalls: 3, createdAt: 1_764_000_000_000,
                updatedAt: 1_764_000_200_000),
            Contact(
                id: 2, organizationID: 7, departmentID: 2, createdByUserID: 3, name: "Bob", phone: "+442079460958",
                createdAt: 1_764_000_000_001, updatedAt: 1_764_000_000_001, archivedAt: 1_764_000_300_000),
        ]
    }

    static var sampleChanges: [Change] {
        let user = User(
            id: 3, name: "alice", role: .manager, departmentID: 2, secret: SecretHash(salt: [1, 2, 3, 4], digest: Array(repeating: 9, count: 32)),
            createdAt: 1_764_000_000_000)
        let field = FieldDefinition(
            name: "industry", label: "Industry", type: .dropdown, options: ["A", "B"], required: true, visibleTo: [.admin, .manager], order: 1)
        return [
            .putOrganization(organization), .putDepartment(Department(id: 2, name: "Sales")), .putUser(user), .putField(field),
        ] + sampleContacts.map { .putContact($0) } + [
            .putPreset(Preset(userID: 3, name: "vip", arguments: ["tag:vip", "LIMIT", "10"], createdAt: 1_764_000_000_000)),
            .removePreset(userID: 3, name: "old"), .removeContact(9), .removeField("legacy"), .removeUser(8), .removeDepartment(5),
        ]
    }

    static var organizationState: [UInt8] { organizationState(indexImage: false) }

    /// The sample organization as a snapshot holds it (the current content version, with the
    /// duplicate and compliance parts): with the text index image after the contacts when
    /// `indexImage`, rebuilt on load when not; `compliance` fills the call log, the do-not-call
    /// list, consent, campaigns, retention and an erasure receipt.
    static func organizationState(indexImage: Bool, compliance: Bool = false) -> [UInt8] {
        var state = OrganizationState(organization: organization)
        for change in sampleChanges where !isRemoval(change) { _ = state.apply(change) }
        if compliance {
            for change in duplicateChanges + complianceChanges where !isRemoval(change) { _ = state.apply(change) }
        }
        var writer = BinaryWriter()
        state.encode(into: &writer, indexImage: indexImage)
        return writer.bytes
    }

    static func isRemoval(_ change: Change) -> Bool {
        switch change {
        case .removeDepartment, .removeUser, .removeField, .removeContact, .removePreset, .removeUndo, .unlogCall, .removeCampaign, .removeErasure: true
        default: false
        }
    }

    static var changeSets: [[UInt8]] {
        [
            RecordCodec.encode(ChangeSet(organizationID: 7, changes: sampleChanges)),
            RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.putContact(sampleContacts[0])])),
            RecordCodec.encode(ChangeSet(organizationID: 1, changes: [])),
            RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.setCallFields(CallFields(of: sampleContacts[0])), .patchContact(samplePatch)])),
            RecordCodec.encode(ChangeSet(organizationID: 7, changes: duplicateChanges)),
            RecordCodec.encode(ChangeSet(organizationID: 7, changes: complianceChanges)),
        ]
    }

    /// Duplicate settings, an ignored pair and a merge's undo entry (change set version 3).
    static var duplicateChanges: [Change] {
        var settings = DuplicateSettings()
        settings.threshold = 70
        settings.autoMerge = true
        let merged = sampleContacts[1]
        let entry = UndoEntry(
            id: 4, kind: .merge, summary: "CONTACT.MERGE 1 2", userID: 3, userName: "alice", createdAt: 1_764_000_000_500,
            departments: [2], steps: [UndoEntry.Step(forward: .removeContact(merged.id), inverse: .putContact(merged))],
            merge: UndoEntry.Merge(survivor: 1, merged: [2], rule: "phone", score: 100, winners: [("name", 1), ("email", 2)]))
        return [.putDuplicateSettings(settings), .setIgnoredPair(ContactPair(1, 2), ignored: true), .putUndo(entry), .removeUndo(3)]
    }

    /// Every change of calls, do-not-call, consent, campaigns, retention and erasure (change set
    /// version 4), in an order `apply` accepts after ``sampleChanges``.
    static var complianceChanges: [Change] {
        let call = CallRecord(
            id: 1, contactID: 1, at: 1_764_000_000_123, durationSeconds: 61, outcome: "completed", agentID: 3, kind: .campaign,
            campaignID: 1, notes: "ok", recordingURL: "https://rec.example/1")
        let second = CallRecord(id: 2, contactID: 2, at: 1_764_000_000_200, durationSeconds: 0, outcome: "busy", agentID: 3, kind: .manual)
        var retention = RetentionSettings()
        retention.inactiveDays = 30
        retention.lastRunAt = 5
        return [
            .putCampaign(Campaign(id: 1, name: "Spring", departmentID: 2, status: .active, createdAt: 1, createdBy: 3, updatedAt: 2)),
            .logCall(call), .logCall(second),
            .moveCalls([1], merged: 1, survivor: 2, toSurvivor: true),
            .changeDoNotCall(
                put: [
                    DoNotCallEntry(target: .phone("+16502530002"), reason: "asked", source: "call", addedAt: 3, addedBy: 3, expiresAt: 99),
                    DoNotCallEntry(target: .prefix("+1900"), addedAt: 3, addedBy: 3), DoNotCallEntry(target: .contact(1), addedAt: 4, addedBy: 3),
                ], remove: [.prefix("+1800")]),
            .setConsents(1, [ConsentRecord(contactID: 1, channel: "phone", purpose: "any", granted: false, at: 7, source: "web", recordedBy: 3)]),
            .changeCampaignMembers(1, add: [1, 2], remove: []),
            .setProtected(2, true),
            .putRetention(retention),
            .eraseCalls(2),
            .putErasure(ErasureReceipt(id: 1, contactID: 2, requestedBy: 3, at: 9, callsErased: 1, consentsErased: 0, doNotCallEntriesErased: 0, undoEntriesErased: 0)),
            .unlogCall(5), .removeCampaign(9), .removeErasure(8),
        ]
    }

    /// A patch of every kind of field, for the version-2 change set seed.
    static var samplePatch: ContactPatch {
        ContactPatch(contactID: sampleContacts[0].id, updatedAt: 1_764_000_000_001, fields: [
            .department(3), .name("Ann Smith"), .phone("+16502530001"), .phoneExtension("12"), .email(nil), .company("Globex"),
            .tags(["VIP"]), .notes(nil), .customField("industry", .text("A")), .customField("gone", nil), .lastCalledAt(5),
            .lastCallOutcome("busy"), .totalCalls(2), .archivedAt(nil),
        ])
    }

    static var codecSeeds: [(name: String, bytes: [UInt8])] {
        changeSets.enumerated().map { ("change-set-\($0.offset)", [0] + $0.element) }
            + [("organization-state", [1] + organizationState), ("organization-state-v2", [3] + organizationState(indexImage: true)),
               ("organization-state-compliance", [3] + organizationState(indexImage: true, compliance: true))]
    }

    static var journalSeeds: [(name: String, bytes: [UInt8])] {
        let records = changeSets.map { (type: UInt16(1), payload: $0) }
        let segment = JournalFormat.segmentBytes(firstSequence: 1, records: records)
        let later = JournalFormat.segmentBytes(firstSequence: 1000, records: [(type: 1, payload: changeSets[1]), (type: 2, payload: [])])
        return [
            ("segment", [0] + segment),
            ("segment-repaired", [1] + segment),
            ("segment-later", [2] + later),
            ("segment-later-repaired", [3] + later),
            ("header-only", [0] + JournalFormat.segmentBytes(firstSequence: 1, records: [])),
            ("torn-tail", [0] + segment.dropLast(5)),
            ("zero-tail", [0] + segment + Array(repeating: 0, count: 40)),
        ]
    }

    static func snapshotSeeds() throws -> [(name: String, bytes: [UInt8])] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callsheet-fuzz-seeds-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var seeds: [(name: String, bytes: [UInt8])] = []
        let contents: [(String, [UInt8], [String: UInt64])] = [
            ("state", organizationState, ["organizations": 1, "contacts": 2]),
            ("empty", [], [:]),
            ("repetitive", Array(repeating: 0x41, count: 20_000) + organizationState, ["contacts": 2]),
        ]
        for (index, (name, content, counts)) in contents.enumerated() {
            let header = SnapshotHeader(sequence: UInt64(100 + index), counts: counts, createdAtMilliseconds: 1_764_000_000_000)
            let writer = try SnapshotWriter(directory: directory, header: header, options: .init(compressionLevel: 3, workers: 0))
            try writer.write(content)
            let file = try writer.commit()
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.path)))
            seeds.append((name, [0] + bytes))
            seeds.append(("\(name)-repaired", [3] + bytes))
        }
        return seeds
    }
}
