/// A contact as the table keeps it in memory: a few dozen bytes in its chunk's arena instead of
/// a 216-byte `Contact` struct and the heap blocks of its strings (docs/STORAGE.md, "Contact
/// records in memory"). Repeated texts (company, notes, call outcome, custom field names and
/// short text values, tag lists) are numbers into the organization's ``SharedTexts``.
///
/// Layout, in order (varints are LEB128, "signed" zig-zag varints):
/// - a presence byte: email, company, notes, extension, last called, last outcome, archived,
///   merged into (bits 0–7);
/// - organization, department and creator ids, then `customFieldCount` (varints);
/// - name (length, UTF-8);
/// - phone: `digits << 1 | 1` for `+` and 1–18 digits not starting with 0 (every E.164
///   number), else `length << 1` and its UTF-8;
/// - extension, email (length, UTF-8), when present;
/// - company (a text: `number << 1 | 1` shared, else `length << 1` and its UTF-8), when present;
/// - tags: `number << 1 | 1` for a shared list, else `count << 1` and that many texts inline;
/// - notes (a text), when present;
/// - custom fields: name (a text), value (a tag byte and its payload as the journal writes it);
/// - last called at (signed, from created at), last outcome (a text), when present;
/// - total calls; created at (signed); updated at and archived at (signed, from created at);
///   merged into (varint), when present.
///
/// Records are written only by ``encode(_:into:texts:)`` and read only from the table's own
/// arenas, so reading does not check bounds beyond what a well-formed record needs.
enum ContactRecord {
    private static let hasEmail: UInt8 = 1, hasCompany: UInt8 = 2, hasNotes: UInt8 = 4, hasExtension: UInt8 = 8
    private static let hasLastCalled: UInt8 = 16, hasOutcome: UInt8 = 32, hasArchived: UInt8 = 64, hasMergedInto: UInt8 = 128
    /// Texts of custom fields are shared when they are at most this long (a picklist's option, a city).
    private static let sharedValueLength = 48

    /// The record's archived bit (its presence byte), without decoding the rest.
    static func isArchived(_ bytes: UnsafeRawBufferPointer) -> Bool { bytes[0] & hasArchived != 0 }
    /// Whether the record was merged into another (its presence byte), without decoding the rest.
    static func isMerged(_ bytes: UnsafeRawBufferPointer) -> Bool { bytes[0] & hasMergedInto != 0 }

    static func encode(_ contact: Contact, into writer: inout BinaryWriter, texts: inout SharedTexts) {
        var nothing = SharedNumbers()
        encode(contact, into: &writer, texts: &texts, reusing: &nothing)
    }

    /// Encodes `contact` taking the shared numbers of `old` (the record it replaces) where its
    /// company, tags, notes and last outcome are unchanged: no hashing, no reference counting
    /// for them. What is taken is cleared from `old`; the caller releases what is left.
    static func encode(_ contact: Contact, into writer: inout BinaryWriter, texts: inout SharedTexts, reusing old: inout SharedNumbers) {
        var flags: UInt8 = 0
        if contact.email != nil { flags |= hasEmail }
        if contact.company != nil { flags |= hasCompany }
        if contact.notes != nil { flags |= hasNotes }
        if contact.phoneExtension != nil { flags |= hasExtension }
        if contact.lastCalledAt != nil { flags |= hasLastCalled }
        if contact.lastCallOutcome != nil { flags |= hasOutcome }
        if contact.archivedAt != nil { flags |= hasArchived }
        if contact.mergedInto != nil { flags |= hasMergedInto }
        writer.byte(flags)
        writer.varint(contact.organizationID)
        writer.varint(contact.departmentID)
        writer.varint(contact.createdByUserID)
        writer.varint(contact.customFields.count)
        writer.string(contact.name)
        if let digits = Self.e164Digits(contact.phone) {
            writer.varint(digits << 1 | 1)
        } else {
            writer.varint(UInt64(contact.phone.utf8.count) << 1)
            writer.withBytes { $0.append(contentsOf: contact.phone.utf8) }
        }
        if let phoneExtension = contact.phoneExtension { writer.string(phoneExtension) }
        if let email = contact.email { writer.string(email) }
        if let company = contact.company { text(company, into: &writer, texts: &texts, reusing: &old.company) }
        if let kept = old.tags, Self.sameTags(texts[tags: kept], contact.tags) {
            writer.varint(UInt64(kept) << 1 | 1)
            old.tags = nil
        } else if let number = texts.number(of: contact.tags) {
            writer.varint(UInt64(number) << 1 | 1)
        } else {
            writer.varint(UInt64(contact.tags.count) << 1)
            for tag in contact.tags { text(tag, into: &writer, texts: &texts) }
        }
        if let notes = contact.notes { text(notes, into: &writer, texts: &texts, reusing: &old.notes) }
        // Sorted, so that equal contacts have equal records.
        for (name, value) in contact.customFields.sorted(by: { $0.key < $1.key }) {
            text(name, into: &writer, texts: &texts)
            switch value {
            case .text(let string) where string.utf8.count <= sharedValueLength:
                writer.byte(6)
                text(string, into: &writer, texts: &texts)
            default: RecordCodec.encode(value, into: &writer)
            }
        }
        if let lastCalledAt = contact.lastCalledAt { writer.signed(lastCalledAt &- contact.createdAt) }
        if let outcome = contact.lastCallOutcome { text(outcome, into: &writer, texts: &texts, reusing: &old.outcome) }
        writer.varint(contact.totalCalls)
        writer.signed(contact.createdAt)
        writer.signed(contact.updatedAt &- contact.createdAt)
        if let archivedAt = contact.archivedAt { writer.signed(archivedAt &- contact.createdAt) }
        if let mergedInto = contact.mergedInto { writer.varint(mergedInto) }
    }

    /// `value` as a shared number (`kept`, the old record's, when it holds the same bytes; then
    /// `kept` is cleared) or inline.
    private static func text(_ value: String, into writer: inout BinaryWriter, texts: inout SharedTexts, reusing kept: inout UInt32?) {
        if let number = kept, ExactText.sameBytes(texts[text: number], value) {
            writer.varint(UInt64(number) << 1 | 1)
            kept = nil
        } else {
            text(value, into: &writer, texts: &texts)
        }
    }

    private static func sameTags(_ left: [String], _ right: [String]) -> Bool {
        left.count == right.count && zip(left, right).allSatisfy { ExactText.sameBytes($0, $1) }
    }

    private static func text(_ value: String, into writer: inout BinaryWriter, texts: inout SharedTexts) {
        if let number = texts.number(of: value) {
            writer.varint(UInt64(number) << 1 | 1)
        } else {
            writer.varint(UInt64(value.utf8.count) << 1)
            writer.withBytes { $0.append(contentsOf: value.utf8) }
        }
    }

    /// The digits of `+` and 1–18 digits not starting with 0, as a number (every E.164 phone).
    static func e164Digits(_ phone: String) -> UInt64? {
        let utf8 = phone.utf8
        guard utf8.count >= 2, utf8.count <= 19, utf8.first == UInt8(ascii: "+") else { return nil }
        var digits: UInt64 = 0
        for (offset, byte) in utf8.dropFirst().enumerated() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), offset > 0 || byte != UInt8(ascii: "0") else { return nil }
            digits = digits * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return digits
    }

    /// The contact of the record at the start of `bytes`, and the record's length.
    static func decode(_ bytes: UnsafeRawBufferPointer, id: ContactID, texts: SharedTexts) -> Contact {
        var cursor = Cursor(bytes: bytes)
        let flags = cursor.byte()
        let organization = cursor.varint()
        let department = cursor.varint()
        let createdBy = cursor.varint()
        let fieldCount = Int(cursor.varint())
        let name = cursor.string(length: Int(cursor.varint()))
        let phoneWord = cursor.varint()
        let phone = phoneWord & 1 == 1 ? "+" + String(phoneWord >> 1) : cursor.string(length: Int(phoneWord >> 1))
        let phoneExtension = flags & hasExtension != 0 ? cursor.string(length: Int(cursor.varint())) : nil
        let email = flags & hasEmail != 0 ? cursor.string(length: Int(cursor.varint())) : nil
        let company = flags & hasCompany != 0 ? cursor.text(texts) : nil
        let tagWord = cursor.varint()
        var tags: [String]
        if tagWord & 1 == 1 {
            tags = texts[tags: UInt32(tagWord >> 1)]
        } else {
            tags = []
            let tagCount = Int(tagWord >> 1)
            if tagCount > 0 {
                tags.reserveCapacity(tagCount)
                for _ in 0..<tagCount { tags.append(cursor.text(texts)) }
            }
        }
        let notes = flags & hasNotes != 0 ? cursor.text(texts) : nil
        var fields: [String: FieldValue] = [:]
        if fieldCount > 0 {
            fields.reserveCapacity(fieldCount)
            for _ in 0..<fieldCount {
                let fieldName = cursor.text(texts)
                fields[fieldName] = cursor.fieldValue(texts)
            }
        }
        let lastCalledDelta = flags & hasLastCalled != 0 ? cursor.signed() : nil
        let outcome = flags & hasOutcome != 0 ? cursor.text(texts) : nil
        let totalCalls = Int(cursor.varint())
        let createdAt = cursor.signed()
        let updatedAt = createdAt &+ cursor.signed()
        let archivedAt = flags & hasArchived != 0 ? createdAt &+ cursor.signed() : nil
        let mergedInto = flags & hasMergedInto != 0 ? cursor.varint() : nil
        var contact = Contact(
            id: id, organizationID: organization, departmentID: department, createdByUserID: createdBy, name: name, phone: phone,
            email: email, company: company, tags: tags, notes: notes, customFields: fields,
            lastCalledAt: lastCalledDelta.map { createdAt &+ $0 }, lastCallOutcome: outcome, totalCalls: totalCalls,
            createdAt: createdAt, updatedAt: updatedAt, archivedAt: archivedAt)
        contact.phoneExtension = phoneExtension
        contact.mergedInto = mergedInto
        return contact
    }

    /// Reads a record the table wrote.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func byte() -> UInt8 {
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }

        mutating func signed() -> Int64 {
            let raw = varint()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        mutating func string(length: Int) -> String {
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
        }

        mutating func text(_ texts: SharedTexts) -> String {
            let word = varint()
            return word & 1 == 1 ? texts[text: UInt32(word >> 1)] : string(length: Int(word >> 1))
        }

        mutating func fieldValue(_ texts: SharedTexts) -> FieldValue {
            switch byte() {
            case 0: return .text(string(length: Int(varint())))
            case 6: return .text(text(texts))
            case 1: return .integer(signed())
            case 3: return .date(string(length: Int(varint())))
            case 4: return .checkbox(byte() != 0)
            default:
                // 5: a decimal as its exact text, as the journal writes it.
                return .decimal(DecimalNumber(string(length: Int(varint()))) ?? DecimalNumber(Int64(0)))
            }
        }
    }
}

extension ContactRecord {
    /// What is wrong with a record read from a snapshot (the table's image), or nil when it is
    /// one ``decode(_:id:texts:)`` reads safely: every length within the record, every shared
    /// text and tag list number within `texts`, the ids, counts and timestamps within the ranges
    /// the journal's decoder accepts, and nothing after the last field.
    static func check(_ bytes: UnsafeRawBufferPointer, id: ContactID, texts: SharedTexts) -> String? {
        var cursor = CheckedCursor(bytes: bytes)
        func text() -> Bool {
            guard let word = cursor.varint() else { return false }
            return word & 1 == 1 ? word >> 1 < UInt64(texts.texts.count) && !texts.texts[Int(word >> 1)].isEmpty : cursor.skip(word >> 1)
        }
        func timestamp(from base: Int64 = 0) -> Int64? {
            guard let value = cursor.signed() else { return nil }
            let (sum, overflow) = base.addingReportingOverflow(value)
            return !overflow && BinaryReader.timestampRange.contains(sum) ? sum : nil
        }
        guard let flags = cursor.byte() else { return "contact \(id): empty record" }
        guard let organization = cursor.varint(), let department = cursor.varint(), let createdBy = cursor.varint(),
              [organization, department, createdBy].allSatisfy({ $0 <= BinaryReader.maximumID })
        else { return "contact \(id): ids out of range" }
        guard let fieldCount = cursor.varint(), fieldCount <= UInt64(bytes.count) else { return "contact \(id): custom field count out of range" }
        guard let nameLength = cursor.varint(), cursor.skip(nameLength) else { return "contact \(id): name past the record" }
        guard let phoneWord = cursor.varint(), phoneWord & 1 == 1 || cursor.skip(phoneWord >> 1) else { return "contact \(id): phone past the record" }
        if flags & hasExtension != 0 { guard let length = cursor.varint(), cursor.skip(length) else { return "contact \(id): extension past the record" } }
        if flags & hasEmail != 0 { guard let length = cursor.varint(), cursor.skip(length) else { return "contact \(id): email past the record" } }
        if flags & hasCompany != 0, !text() { return "contact \(id): company past the record or not a shared text" }
        guard let tagWord = cursor.varint() else { return "contact \(id): tags past the record" }
        if tagWord & 1 == 1 {
            guard tagWord >> 1 < UInt64(texts.tagLists.count), !texts.tagLists[Int(tagWord >> 1)].isEmpty else { return "contact \(id): tag list \(tagWord >> 1) is not a shared list" }
        } else {
            guard tagWord >> 1 <= UInt64(bytes.count) else { return "contact \(id): tag count out of range" }
            for _ in 0..<Int(tagWord >> 1) where !text() { return "contact \(id): a tag past the record or not a shared text" }
        }
        if flags & hasNotes != 0, !text() { return "contact \(id): notes past the record or not a shared text" }
        for _ in 0..<Int(fieldCount) {
            guard text() else { return "contact \(id): a custom field name past the record" }
            let kind = cursor.byte()
            switch kind {
            case 0, 3, 5:
                guard let length = cursor.varint(), length <= UInt64(cursor.remaining) else { return "contact \(id): a custom field value past the record" }
                let start = cursor.offset
                _ = cursor.skip(length)
                if kind == 5, DecimalNumber(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<cursor.offset]), as: UTF8.self)) == nil {
                    return "contact \(id): a decimal custom field value that is not a number"
                }
            case 6: guard text() else { return "contact \(id): a custom field value past the record or not a shared text" }
            case 1: guard cursor.signed() != nil else { return "contact \(id): a custom field value past the record" }
            case 4: guard let flag = cursor.byte(), flag <= 1 else { return "contact \(id): a checkbox value that is not 0 or 1" }
            default: return "contact \(id): a custom field value of an unknown kind"
            }
        }
        var lastCalledDelta: Int64?
        if flags & hasLastCalled != 0 {
            guard let delta = cursor.signed() else { return "contact \(id): last called past the record" }
            lastCalledDelta = delta
        }
        if flags & hasOutcome != 0, !text() { return "contact \(id): last outcome past the record or not a shared text" }
        guard let totalCalls = cursor.varint(), totalCalls <= UInt64(RecordCodec.maximumSetting) else { return "contact \(id): total calls out of range" }
        guard let createdAt = timestamp() else { return "contact \(id): created at out of range" }
        if let lastCalledDelta {
            let (lastCalled, overflow) = createdAt.addingReportingOverflow(lastCalledDelta)
            guard !overflow, BinaryReader.timestampRange.contains(lastCalled) else { return "contact \(id): last called at out of range" }
        }
        guard timestamp(from: createdAt) != nil else { return "contact \(id): updated at out of range" }
        if flags & hasArchived != 0, timestamp(from: createdAt) == nil { return "contact \(id): archived at out of range" }
        if flags & hasMergedInto != 0 {
            guard let survivor = cursor.varint(), survivor > 0, survivor <= BinaryReader.maximumID, survivor != id else { return "contact \(id) merged into an impossible contact" }
        }
        guard cursor.remaining == 0 else { return "contact \(id): \(cursor.remaining) bytes after the record's last field" }
        return nil
    }

    /// Reads a record that may be damaged: each read answers nil past the end.
    private struct CheckedCursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var remaining: Int { bytes.count - offset }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            for shift in stride(from: UInt64(0), through: 63, by: 7) {
                guard let byte = byte() else { return nil }
                if shift == 63, byte > 1 { return nil }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
            }
            return nil
        }

        mutating func signed() -> Int64? {
            guard let raw = varint() else { return nil }
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        mutating func skip(_ length: UInt64) -> Bool {
            guard length <= UInt64(remaining) else { return false }
            offset += Int(length)
            return true
        }
    }
}

extension ContactRecord {
    /// A record's tags: a shared list's number, or the tags themselves.
    enum Tags {
        case shared(UInt32)
        case inline([String])
    }

    /// A record's phone: an E.164 number's digits, or the text of any other.
    enum Phone {
        case digits(UInt64)
        case text(String)
    }

    /// What the indexes other than the text index need of a record, read without decoding the
    /// rest: its department, phone and tags (a load rebuilds those indexes from them).
    static func indexFields(_ bytes: UnsafeRawBufferPointer, texts: SharedTexts) -> (department: DepartmentID, phone: Phone, tags: Tags) {
        var cursor = Cursor(bytes: bytes)
        let flags = cursor.byte()
        _ = cursor.varint()
        let department = cursor.varint()
        _ = cursor.varint()
        _ = cursor.varint()
        cursor.offset += Int(cursor.varint())
        let phoneWord = cursor.varint()
        let phone: Phone = phoneWord & 1 == 1 ? .digits(phoneWord >> 1) : .text(cursor.string(length: Int(phoneWord >> 1)))
        if flags & hasExtension != 0 { cursor.offset += Int(cursor.varint()) }
        if flags & hasEmail != 0 { cursor.offset += Int(cursor.varint()) }
        if flags & hasCompany != 0 {
            let word = cursor.varint()
            if word & 1 == 0 { cursor.offset += Int(word >> 1) }
        }
        let tagWord = cursor.varint()
        if tagWord & 1 == 1 { return (department, phone, .shared(UInt32(tagWord >> 1))) }
        var tags: [String] = []
        for _ in 0..<Int(tagWord >> 1) { tags.append(cursor.text(texts)) }
        return (department, phone, .inline(tags))
    }
}

/// The shared numbers a record holds, by field: what a rewrite of the contact may keep
/// (``ContactRecord/encode(_:into:texts:reusing:)``) and releases otherwise.
struct SharedNumbers {
    var company: UInt32?
    var tags: UInt32?
    var notes: UInt32?
    var outcome: UInt32?
    /// The rest (inline tags' texts, custom field names and values), released on every rewrite.
    var others: [UInt32] = []

    /// Releases every number still held.
    func release(from texts: inout SharedTexts) {
        // Field by field: this runs on every rewrite, so no array is built for it.
        if let company { texts.release(text: company) }
        if let notes { texts.release(text: notes) }
        if let outcome { texts.release(text: outcome) }
        for number in others { texts.release(text: number) }
        if let tags { texts.release(tags: tags) }
    }
}

extension ContactRecord {
    /// The field a shared text number sits in.
    enum SharedField { case company, tag, notes, fieldName, fieldValue, outcome }

    /// Calls `text` with each shared text number the record holds (once per field that holds
    /// it) and `tags` with its shared tag list's: what a write releases and a load retains.
    static func forEachShared(_ bytes: UnsafeRawBufferPointer, text: (UInt32) -> Void, tags: (UInt32) -> Void) {
        forEachShared(bytes, text: { number, _ in text(number) }, tags: tags)
    }

    /// The record's shared numbers by field.
    static func sharedNumbers(_ bytes: UnsafeRawBufferPointer) -> SharedNumbers {
        var numbers = SharedNumbers()
        forEachShared(bytes, text: { number, field in
            switch field {
            case .company: numbers.company = number
            case .notes: numbers.notes = number
            case .outcome: numbers.outcome = number
            case .tag, .fieldName, .fieldValue: numbers.others.append(number)
            }
        }, tags: { numbers.tags = $0 })
        return numbers
    }

    private static func forEachShared(_ bytes: UnsafeRawBufferPointer, text: (UInt32, SharedField) -> Void, tags: (UInt32) -> Void) {
        var cursor = Cursor(bytes: bytes)
        let flags = walkToCalls(&cursor, text: text, tags: tags)
        if flags & hasLastCalled != 0 { _ = cursor.varint() }
        if flags & hasOutcome != 0 {
            let word = cursor.varint()
            if word & 1 == 1 { text(UInt32(word >> 1), .outcome) }
        }
    }

    /// Reads the record up to its call fields (last called at), calling `text` and `tags` with
    /// the shared numbers on the way; returns the presence byte.
    private static func walkToCalls(_ cursor: inout Cursor, text: (UInt32, SharedField) -> Void, tags: (UInt32) -> Void) -> UInt8 {
        func sharedText(_ field: SharedField) {
            let word = cursor.varint()
            if word & 1 == 1 { text(UInt32(word >> 1), field) } else { cursor.offset += Int(word >> 1) }
        }
        let flags = cursor.byte()
        _ = cursor.varint()
        _ = cursor.varint()
        _ = cursor.varint()
        let fieldCount = Int(cursor.varint())
        cursor.offset += Int(cursor.varint())
        let phoneWord = cursor.varint()
        if phoneWord & 1 == 0 { cursor.offset += Int(phoneWord >> 1) }
        if flags & hasExtension != 0 { cursor.offset += Int(cursor.varint()) }
        if flags & hasEmail != 0 { cursor.offset += Int(cursor.varint()) }
        if flags & hasCompany != 0 { sharedText(.company) }
        let tagWord = cursor.varint()
        if tagWord & 1 == 1 {
            tags(UInt32(tagWord >> 1))
        } else {
            for _ in 0..<Int(tagWord >> 1) { sharedText(.tag) }
        }
        if flags & hasNotes != 0 { sharedText(.notes) }
        for _ in 0..<fieldCount {
            sharedText(.fieldName)
            switch cursor.byte() {
            case 6: sharedText(.fieldValue)
            case 1: _ = cursor.varint()
            case 4: cursor.offset += 1
            default: cursor.offset += Int(cursor.varint())  // 0, 3, 5: length and UTF-8
            }
        }
        return flags
    }

    /// The record with its call fields and updated-at time replaced by `fields`, everything
    /// else copied as it is (`CONTACT.LOGCALL`: no decoding of the contact, no lookup of its
    /// other texts); `previous` gets the fields it held. `id` is the record's contact.
    ///
    /// The new outcome keeps the old one's shared number when the bytes are equal (one outcome
    /// follows another of the same kind most of the time); otherwise it takes a reference to its
    /// own, and the caller releases `releasedOutcome`, the old one's.
    static func replacingCallFields(
        of bytes: UnsafeRawBufferPointer, id: ContactID, with fields: CallFields, texts: inout SharedTexts
    ) -> (record: [UInt8], previous: CallFields, releasedOutcome: UInt32?) {
        var cursor = Cursor(bytes: bytes)
        let flags = walkToCalls(&cursor, text: { _, _ in }, tags: { _ in })
        let callsStart = cursor.offset
        let lastCalledDelta = flags & hasLastCalled != 0 ? cursor.signed() : nil
        let outcomeWord = flags & hasOutcome != 0 ? cursor.varint() : nil
        var oldOutcome: String?
        if let outcomeWord {
            oldOutcome = outcomeWord & 1 == 1 ? texts[text: UInt32(outcomeWord >> 1)] : cursor.string(length: Int(outcomeWord >> 1))
        }
        let totalCalls = cursor.varint()
        let createdAt = cursor.signed()
        let updatedAt = createdAt &+ cursor.signed()
        let tailStart = cursor.offset
        let previous = CallFields(
            contactID: id, lastCalledAt: lastCalledDelta.map { createdAt &+ $0 }, lastCallOutcome: oldOutcome,
            totalCalls: Int(totalCalls), updatedAt: updatedAt)

        var newFlags = flags & ~(hasLastCalled | hasOutcome)
        if fields.lastCalledAt != nil { newFlags |= hasLastCalled }
        if fields.lastCallOutcome != nil { newFlags |= hasOutcome }
        var writer = BinaryWriter(capacity: bytes.count + 16)
        writer.byte(newFlags)
        writer.withBytes { $0.append(contentsOf: bytes[1..<callsStart]) }
        if let lastCalledAt = fields.lastCalledAt { writer.signed(lastCalledAt &- createdAt) }
        var releasedOutcome: UInt32?
        if let outcomeWord, outcomeWord & 1 == 1 { releasedOutcome = UInt32(outcomeWord >> 1) }
        if let outcome = fields.lastCallOutcome {
            if let kept = releasedOutcome, let oldOutcome, ExactText.sameBytes(outcome, oldOutcome) {
                writer.varint(UInt64(kept) << 1 | 1)
                releasedOutcome = nil
            } else {
                text(outcome, into: &writer, texts: &texts)
            }
        }
        writer.varint(UInt64(fields.totalCalls))
        writer.signed(createdAt)
        writer.signed(fields.updatedAt &- createdAt)
        writer.withBytes { $0.append(contentsOf: bytes[tailStart...]) }
        return (writer.bytes, previous, releasedOutcome)
    }
}
