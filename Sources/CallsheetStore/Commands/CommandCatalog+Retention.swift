import CallsheetCore
import CallsheetProtocol

/// Retention and erasure (docs/PROTOCOL.md, "Retention and erasure").
extension CommandCatalog {
    static let retention: [CommandDeclaration] = [
        .write("RETENTION.SET", "RETENTION.SET <rule> <value>", "compliance", .admin, "Sets a retention rule: inactive_days <n|off> (archive contacts with no call for n days), archived_purge_days <n|off> (remove archived contacts for good), deleted_call_days <n|off> (erase removed contacts' calls), cold_call_days <n|off> (move calls older than n days into cold segments on disk), retain_opted_out yes|no, interval_minutes <n> (0: only RETENTION.RUN).") { reader throws(CallsheetError) in
            let rule = try reader.next(), value = try reader.next()
            return { state, caller, _ throws(CallsheetError) in
                let settings = try state.planRetentionSet(rule, value, by: caller)
                var after = state
                after.apply(.putRetention(settings))
                return ([.putRetention(settings)], .bulk(after.retentionJSON().serialized))
            }
        },
        .read("RETENTION.SHOW", "RETENTION.SHOW", "compliance", .manager, "The retention rules and what the last sweep did.") { _ throws(CallsheetError) in
            { state, _, _ in .bulk(state.retentionJSON().serialized) }
        },
        .scan("RETENTION.PREVIEW", "RETENTION.PREVIEW", "compliance", .admin, "What the next sweep would do: counts and the first 100 ids of contacts to archive, to remove, whose calls to erase, and expired do-not-call entries.") { _ throws(CallsheetError) in
            { state, _, context in .bulk(state.retentionSweepJSON(state.retentionSweep(at: context.now)).serialized) }
        },
        .organization("RETENTION.RUN", "RETENTION.RUN", "compliance", .admin, "Runs the retention sweep now (journaled like any write) and says what it did; \"more\": true when a limit of 10,000 a kind left work for the next one. With cold_call_days set, then moves calls older than that into cold segments on disk (\"cold\": calls moved, segment, bytes).", writes: true) { _ throws(CallsheetError) in
            { context throws(CallsheetError) in
                let now = Clock.now()
                let reply = try await context.write { state, _, _ in
                    let (changes, sweep) = state.planRetentionRun(at: now)
                    return (changes, .bulk(state.retentionSweepJSON(sweep).serialized))
                }
                // Erased calls of removed contacts leave cold blocks to rewrite; then the move.
                await context.directory.rewriteColdSegments(context.shard)
                let moved = try await context.directory.moveCallsCold(context.shard, now: now)
                guard case .bulkString(let bytes) = reply, case .object(var members)? = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)) else { return reply }
                members.append(("cold", .object([
                    ("calls_moved", .integer(Int64(moved?.calls ?? 0))), ("segment", moved.map { .integer(Int64($0.segment)) } ?? .null),
                    ("segments", .integer(Int64(moved?.segments ?? 0))),
                    ("bytes", .integer(Int64(moved?.bytes ?? 0))),
                ])))
                return .bulk(JSONValue.object(members).serialized)
            }
        },
        .organization("CONTACT.ERASE", "CONTACT.ERASE <id>", "compliance", .admin, "Forgets a person (GDPR erasure): the contact and contacts merged into it, their calls' links and notes, consents, do-not-call entries and undo entries are removed at once, then from disk (a fresh snapshot; older snapshots and journal segments deleted; import files scrubbed). Replies with the receipt, disk_clean_at set once disk is clean.", writes: true) { reader throws(CallsheetError) in
            let id = try reader.id()
            return { context throws(CallsheetError) in
                let traces = try await context.read { state, caller, _ throws(CallsheetError) in
                    let contact = try state.visibleContact(id, for: caller)
                    let people = [contact] + state.contacts.contacts(mergedInto: id)
                    // What import reports may hold of them: the number, the name and its longer
                    // words, the email and its local part, the company.
                    let texts = people.flatMap { person -> [String] in
                        var texts = [person.phone, person.name] + person.name.split(separator: " ").filter { $0.count >= 4 }.map(String.init)
                        if let email = person.email { texts += [email, String(email.prefix { $0 != "@" })] }
                        if let company = person.company { texts.append(company) }
                        return texts
                    }
                    return .array(texts.map { .bulk($0) })
                }
                let receiptID = try await context.write { state, caller, planning throws(CallsheetError) in
                    let (changes, receipt) = try state.planErase(id, by: caller, context: planning)
                    return (changes, .integer(Int64(receipt.id)))
                }
                guard case .array(let values) = traces, case .integer(let erasure) = receiptID else { throw CallsheetError(.internal, "erasure lost its receipt") }
                let strings = values.compactMap { value -> String? in if case .bulkString(let bytes) = value { String(decoding: bytes, as: UTF8.self) } else { nil } }
                // The slow log may quote the person (a search for their name, their phone).
                context.directory.slowLog.reset(organization: context.shard.id)
                await context.directory.finishErasures(traces: strings)
                return try await context.read { state, _, _ throws(CallsheetError) in
                    guard let receipt = state.erasures[UInt64(erasure)] else { throw CallsheetError(.internal, "erasure lost its receipt") }
                    return .bulk(state.erasureJSON(receipt).serialized)
                }
            }
        },
        .read("ERASURE.LIST", "ERASURE.LIST", "compliance", .admin, "Erasure receipts, newest first (ids and counts, no personal data).") { _ throws(CallsheetError) in
            { state, _, _ in .bulk(JSONValue.array(state.erasures.values.sorted { $0.id > $1.id }.map(state.erasureJSON)).serialized) }
        },
        .organization("CONTACT.EXPORTDATA", "CONTACT.EXPORTDATA <id>", "compliance", .manager, "Everything held about a person (GDPR access) as one JSON document: contact, calls, consent, do-not-call entries, campaigns, merges, and the changes to it still in the journal.", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id()
            return { context throws(CallsheetError) in
                let document = try await context.scan { state, caller, _ throws(CallsheetError) in .bulk(try state.exportDataJSON(id, for: caller).serialized) }
                guard case .bulkString(let bytes) = document, case .object(var members)? = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)) else { return document }
                let organization = await context.shard.id
                members.append(("journal_history", await context.directory.journalHistory(organization: organization, contact: id)))
                return .bulk(JSONValue.object(members).serialized)
            }
        },
    ]
}
