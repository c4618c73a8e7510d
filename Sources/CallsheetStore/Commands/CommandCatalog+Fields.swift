import CallsheetCore
import CallsheetProtocol

/// Custom fields, tags and saved searches (docs/PROTOCOL.md, "Custom fields", "Tags", "Saved searches").
extension CommandCatalog {
    static let fields: [CommandDeclaration] = [
        .write("FIELD.CREATE", "FIELD.CREATE <json>", "fields", .admin, "Defines a custom field: {\"name\", \"label\", \"type\", \"options\", \"required\", \"visible_to\"}.") { reader throws(CallsheetError) in
            let input = try reader.json()
            return { state, caller, _ throws(CallsheetError) in
                let field = try state.planCreateField(input, by: caller)
                return ([.putField(field)], .bulk(state.fieldJSON(field).serialized))
            }
        },
        .read("FIELD.LIST", "FIELD.LIST", "fields", .agent, "Custom fields you can see, in display order.") { _ throws(CallsheetError) in
            { state, caller, _ in
                let visible = state.orderedFields.filter { caller.role == .admin || $0.isVisible(to: caller.role) }
                return .bulk(JSONValue.array(visible.map { state.fieldJSON($0) }).serialized)
            }
        },
        .read("FIELD.GET", "FIELD.GET <name>", "fields", .agent, "One custom field definition.") { reader throws(CallsheetError) in
            let name = try reader.next()
            return { state, caller, _ throws(CallsheetError) in
                let field = try state.field(named: name)
                guard caller.role == .admin || field.isVisible(to: caller.role) else {
                    throw CallsheetError(.notFound, "no custom field named '\(name)' (FIELD.LIST shows them)")
                }
                return .bulk(state.fieldJSON(field).serialized)
            }
        },
        .write("FIELD.UPDATE", "FIELD.UPDATE <name> <json> [FORCE]", "fields", .admin, "Changes label, options, required or visible_to. Removing a dropdown option that contacts hold is refused (with their count) unless FORCE clears it from them in the same change.") { reader throws(CallsheetError) in
            let name = try reader.next()
            let input = try reader.json()
            let force = try reader.options([], flags: ["FORCE"])["FORCE"] != nil
            return { state, caller, context throws(CallsheetError) in
                let (field, changes) = try state.planUpdateField(name, input, force: force, by: caller, context: context)
                return (changes, .bulk(state.fieldJSON(field).serialized))
            }
        },
        .write("FIELD.REORDER", "FIELD.REORDER <name> [<name> ...]", "fields", .admin, "Puts the named fields first, in that order.") { reader throws(CallsheetError) in
            let names = reader.rest()
            guard !names.isEmpty else { throw reader.wrong }
            return { state, caller, _ throws(CallsheetError) in (try state.planReorderFields(names, by: caller), .ok) }
        },
        archiving("FIELD.ARCHIVE", "Hides a field from everyone; its data is kept.", archived: true),
        archiving("FIELD.UNARCHIVE", "Shows an archived field again.", archived: false),
        .write("FIELD.DELETE", "FIELD.DELETE <name>", "fields", .admin, "Deletes a field and its value on every contact. Cannot be undone.") { reader throws(CallsheetError) in
            let name = try reader.next()
            return { state, caller, context throws(CallsheetError) in
                let changes = try state.planDeleteField(name, by: caller, context: context)
                return (changes, .integer(Int64(changes.count - 1)))
            }
        },
        .scan("TAG.LIST", "TAG.LIST", "tags", .manager, "Tags with the number of contacts (in your scope) carrying each.") { _ throws(CallsheetError) in
            { state, caller, _ in .bulk(state.tagListJSON(for: caller).serialized) }
        },
        .write("TAG.RENAME", "TAG.RENAME <old> <new>", "tags", .manager, "Renames a tag on every contact in your scope; onto an existing tag, merges.") { reader throws(CallsheetError) in
            let old = try reader.next(), new = try reader.next()
            return mergingTags([old], into: new, kind: .tagRename, summary: "TAG.RENAME \(old) \(new)")
        },
        .write("TAG.MERGE", "TAG.MERGE <tag> [<tag> ...] INTO <tag>", "tags", .manager, "Merges tags into one on every contact in your scope.") { reader throws(CallsheetError) in
            let words = reader.rest()
            guard let into = words.lastIndex(where: { $0.uppercased() == "INTO" }), into > 0, into == words.count - 2 else { throw reader.wrong }
            return mergingTags(Array(words[..<into]), into: words[into + 1], kind: .tagMerge, summary: "TAG.MERGE " + words.joined(separator: " "))
        },
        .write("TAG.DELETE", "TAG.DELETE <tag> [FORCE]", "tags", .manager, "Deletes a tag; refuses while contacts carry it unless FORCE removes it from them.") { reader throws(CallsheetError) in
            let tag = try reader.next()
            let force = try reader.options([], flags: ["FORCE"])["FORCE"] != nil
            return { state, caller, context throws(CallsheetError) in
                let changes = try state.planDeleteTag(tag, force: force, by: caller, context: context)
                return undoable(changes, kind: .tagDelete, summary: "TAG.DELETE \(tag)", state: state, caller: caller, context: context)
            }
        },
    ]

    static let presets: [CommandDeclaration] = [
        .write("PRESET.SAVE", "PRESET.SAVE <name> <text|*> [filters…] [SORT <key> [ASC|DESC]]", "presets", .manager, "Saves a search under a name (yours alone); use it with PRESET <name> in CONTACT.SEARCH and bulk commands.") { reader throws(CallsheetError) in
            let name = try reader.next()
            let query = reader.rest()
            guard !query.isEmpty else { throw reader.wrong }
            return { state, caller, context throws(CallsheetError) in
                let preset = try state.planSavePreset(name, query, by: caller, context: context)
                return ([.putPreset(preset)], .bulk(state.presetJSON(preset).serialized))
            }
        },
        .read("PRESET.LIST", "PRESET.LIST", "presets", .manager, "Your saved searches.") { _ throws(CallsheetError) in
            { state, caller, _ in
                let mine = (state.presets[caller.userID] ?? [:]).values.sorted { $0.name.lowercased() < $1.name.lowercased() }
                return .bulk(JSONValue.array(mine.map { state.presetJSON($0) }).serialized)
            }
        },
        .read("PRESET.GET", "PRESET.GET <name>", "presets", .manager, "One saved search.") { reader throws(CallsheetError) in
            let name = try reader.next()
            return { state, caller, _ throws(CallsheetError) in .bulk(state.presetJSON(try state.preset(name, for: caller)).serialized) }
        },
        .write("PRESET.RENAME", "PRESET.RENAME <name> <new name>", "presets", .manager, "Renames a saved search.") { reader throws(CallsheetError) in
            let name = try reader.next(), newName = try reader.next()
            return { state, caller, _ throws(CallsheetError) in (try state.planRenamePreset(name, to: newName, by: caller), .ok) }
        },
        .write("PRESET.DELETE", "PRESET.DELETE <name>", "presets", .manager, "Deletes a saved search.") { reader throws(CallsheetError) in
            let name = try reader.next()
            return { state, caller, _ throws(CallsheetError) in
                let preset = try state.preset(name, for: caller)
                return ([.removePreset(userID: caller.userID, name: preset.name)], .ok)
            }
        },
    ]

    /// `FIELD.ARCHIVE` and `FIELD.UNARCHIVE`.
    private static func archiving(_ name: String, _ summary: String, archived: Bool) -> CommandDeclaration {
        .write(name, "\(name) <name>", "fields", .admin, summary) { reader throws(CallsheetError) in
            let field = try reader.next()
            return { state, caller, _ throws(CallsheetError) in ([.putField(try state.planArchiveField(field, archived: archived, by: caller))], .ok) }
        }
    }

    /// `TAG.RENAME` and `TAG.MERGE`: one merge, replying the number of changes.
    private static func mergingTags(
        _ sources: [String], into target: String, kind: UndoEntry.Kind, summary: String
    ) -> @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> ([Change], RESPValue) {
        { state, caller, context throws(CallsheetError) in
            let changes = try state.planMergeTags(sources, into: target, by: caller, context: context)
            return undoable(changes, kind: kind, summary: summary, state: state, caller: caller, context: context)
        }
    }

    /// A tag command's changes with their undo entry, and its reply:
    /// `{"changed": <contacts changed>, "undo_id": <id>|null}`.
    private static func undoable(
        _ changes: [Change], kind: UndoEntry.Kind, summary: String, state: OrganizationState, caller: Caller, context: PlanningContext
    ) -> ([Change], RESPValue) {
        let recorded = state.recordingUndo(changes, kind: kind, summary: summary, by: caller, context: context)
        return (recorded.changes, .bulk(JSONValue.object([
            ("changed", .integer(Int64(changes.count))), ("undo_id", recorded.undoID.map { .integer(Int64($0)) } ?? .null),
        ]).serialized))
    }
}
