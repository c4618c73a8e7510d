import Dispatch
import ChunkedCollections

/// The contact table as it lies in memory, for snapshot content version 6 (docs/STORAGE.md,
/// "Contact table image"): the shared texts and tag lists, then each chunk's records in slot
/// order, so that a restart copies arenas instead of decoding and re-encoding every contact.
///
/// `varint byteCount` (of everything after it, so a reader can hand the rest of the snapshot to
/// another thread) | `varint textCount`, texts | `varint tagListCount`, each `varint n` and n
/// texts | `varint chunkCount`, each: `varint records` and, when not 0, a 128-byte bitmap of the
/// occupied slots, `varint arenaBytes` and the records (`varint length`, the record) | `varint
/// sparseCount`, contacts as the journal encodes them (ids from 2^28).
extension ContactSlots {
    /// Writes the image, handing `write` what `writer` holds whenever it passes `pieceSize`
    /// bytes, so that a snapshot never holds a second copy of the records. The image's length,
    /// which comes first, is counted in a first pass that writes nothing.
    public func writeImage(into writer: inout BinaryWriter, pieceSize: Int, write: ([UInt8]) throws -> Void) rethrows {
        var counter = ImageCounter()
        emitImage(into: &counter) { _ in }
        writer.varint(counter.bytes)
        var sink = ImageWriter(writer: writer)
        writer = BinaryWriter()
        try emitImage(into: &sink) { sink in if sink.writer.bytes.count > pieceSize { try sink.writer.drain(write) } }
        writer = sink.writer
    }

    /// Emits the image into `sink`, calling `flush` after each part (the tables, each chunk).
    private func emitImage<Sink: ImageSink>(into sink: inout Sink, flush: (inout Sink) throws -> Void) rethrows {
        sink.varint(texts.texts.count)
        for text in texts.texts { sink.string(text) }
        sink.varint(texts.tagLists.count)
        for tags in texts.tagLists {
            sink.varint(tags.count)
            for tag in tags { sink.string(tag) }
        }
        try flush(&sink)
        sink.varint(chunks.count)
        for chunk in chunks {
            var occupied = 0
            var bitmap = [UInt8](repeating: 0, count: Self.chunkCapacity / 8)
            for offset in chunk.starts.indices where chunk.starts[offset] != RecordChunk.empty {
                occupied += 1
                bitmap[offset >> 3] |= 1 << UInt8(offset & 7)
            }
            sink.varint(occupied)
            guard occupied > 0 else { continue }
            sink.bytes(bitmap[...])
            sink.varint(chunk.bytes.count - chunk.garbage)
            chunk.bytes.withUnsafeBytes { buffer in
                for offset in chunk.starts.indices where chunk.starts[offset] != RecordChunk.empty {
                    let start = Int(chunk.starts[offset])
                    let (length, header) = RecordChunk.length(in: buffer, at: start)
                    sink.bytes(UnsafeRawBufferPointer(rebasing: buffer[start..<start + header + length]))
                }
            }
            try flush(&sink)
        }
        sink.varint(sparse.count)
        for id in sparse.keys.sorted() {
            var record = BinaryWriter()
            RecordCodec.encode(sparse[id]!, into: &record)
            sink.bytes(record.bytes[...])
        }
        try flush(&sink)
    }

    /// Reads what ``writeImage(into:pieceSize:write:)`` wrote, checking every record (``ContactRecord/check(_:id:texts:)``),
    /// every length and the slots' bitmaps against the records found.
    public static func readImage(_ reader: inout BinaryReader) throws(CallsheetError) -> ContactSlots {
        let imageBytes = try reader.count()
        let end = reader.offset + imageBytes
        var table = ContactSlots()
        var texts = ChunkedArray<String>()
        for _ in 0..<(try reader.count()) { texts.append(try reader.string()) }
        var tagLists = ChunkedArray<[String]>()
        for _ in 0..<(try reader.count()) {
            var tags: [String] = []
            for _ in 0..<(try reader.count()) { tags.append(try reader.string()) }
            tagLists.append(tags)  // empty: a free number
        }
        table.texts = SharedTexts(texts: texts, tagLists: tagLists)
        let chunkCount = try reader.count()
        guard chunkCount <= Int(ContactSlots.denseLimit) >> chunkShift else { throw reader.corrupt("\(chunkCount) chunks of contacts") }
        table.chunks.reserveCapacity(chunkCount)
        for index in 0..<chunkCount {
            let start = reader.offset
            let occupied = try reader.int(atMost: chunkCapacity)
            guard occupied > 0 else {
                table.chunks.append(RecordChunk())
                continue
            }
            var bitmap: [UInt8] = []
            for _ in 0..<(chunkCapacity / 8) { bitmap.append(try reader.byte()) }
            let arena = try reader.data()
            var chunk = RecordChunk()
            var position = 0
            var found = 0
            let problem: String? = arena.withUnsafeBytes { buffer in
                for offset in 0..<chunkCapacity where bitmap[offset >> 3] & (1 << UInt8(offset & 7)) != 0 {
                    let id = ContactID(index << chunkShift | offset)
                    // Ids are handed out from 1; the indexes use 0 for "no contact".
                    guard id != 0 else { return "contact id 0" }
                    guard position < buffer.count, let (length, header) = Self.recordLength(in: buffer, at: position),
                          length <= buffer.count - position - header
                    else { return "contact \(id): record past its chunk's arena" }
                    let record = UnsafeRawBufferPointer(rebasing: buffer[position + header..<position + header + length])
                    if let problem = ContactRecord.check(record, id: id, texts: table.texts) { return problem }
                    ContactRecord.forEachShared(record, text: { table.texts.retain(text: $0) }, tags: { table.texts.retain(tags: $0) })
                    if ContactRecord.isArchived(record) { table.archivedCount += 1 }
                    chunk.starts.append(contentsOf: repeatElement(RecordChunk.empty, count: offset + 1 - chunk.starts.count))
                    chunk.starts[offset] = UInt32(position)
                    position += header + length
                    found += 1
                }
                return position == buffer.count ? nil : "\(buffer.count - position) bytes after chunk \(index)'s last record"
            }
            if let problem { throw reader.corrupt(problem, at: start) }
            guard found == occupied else { throw reader.corrupt("chunk \(index) states \(occupied) records and its bitmap \(found)", at: start) }
            chunk.bytes = arena
            table.chunks.append(chunk)
            table.count += found
        }
        table.texts.releaseUnreferenced()
        for _ in 0..<(try reader.count(minimumBytes: 16)) {
            let start = reader.offset
            let contact = try RecordCodec.decodeContact(&reader)
            guard contact.id >= denseLimit, table.sparse.updateValue(contact, forKey: contact.id) == nil else {
                throw reader.corrupt("contact \(contact.id) out of place among the sparse contacts", at: start)
            }
            table.count += 1
            if contact.isArchived { table.archivedCount += 1 }
        }
        guard reader.offset == end else { throw reader.corrupt("the contact image states \(imageBytes) bytes and holds \(reader.offset - (end - imageBytes))") }
        return table
    }

    /// A record's length varint, nil when it runs past the buffer or past 32 bits.
    private static func recordLength(in buffer: UnsafeRawBufferPointer, at start: Int) -> (Int, Int)? {
        var value = 0, shift = 0, index = start
        while index < buffer.count, shift <= 28 {
            let byte = buffer[index]
            index += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return (value, index - start) }
            shift += 7
        }
        return nil
    }

    /// Every contact's id and what the indexes other than the text index need of it, in id order.
    func forEachIndexEntry(_ body: (ContactID, DepartmentID, ContactRecord.Phone, ContactRecord.Tags) -> Void) {
        for (index, chunk) in chunks.enumerated() {
            chunk.bytes.withUnsafeBytes { buffer in
                for offset in chunk.starts.indices where chunk.starts[offset] != RecordChunk.empty {
                    let start = Int(chunk.starts[offset])
                    let (length, header) = RecordChunk.length(in: buffer, at: start)
                    let fields = ContactRecord.indexFields(UnsafeRawBufferPointer(rebasing: buffer[start + header..<start + header + length]), texts: texts)
                    body(ContactID(index << Self.chunkShift | offset), fields.department, fields.phone, fields.tags)
                }
            }
        }
        for id in sparse.keys.sorted() {
            let contact = sparse[id]!
            body(id, contact.departmentID, .text(contact.phone), .inline(contact.tags))
        }
    }
}

/// Where ``ContactSlots`` emits its image: counted first, then written.
private protocol ImageSink {
    mutating func varint(_ value: Int)
    mutating func bytes(_ bytes: some Collection<UInt8>)
}

extension ImageSink {
    mutating func string(_ text: String) {
        varint(text.utf8.count)
        bytes(text.utf8)
    }
}

private struct ImageCounter: ImageSink {
    var bytes = 0
    mutating func varint(_ value: Int) {
        var rest = UInt64(value)
        bytes += 1
        while rest >= 0x80 { rest >>= 7; bytes += 1 }
    }
    mutating func bytes(_ bytes: some Collection<UInt8>) { self.bytes += bytes.count }
}

private struct ImageWriter: ImageSink {
    var writer: BinaryWriter
    mutating func varint(_ value: Int) { writer.varint(value) }
    mutating func bytes(_ bytes: some Collection<UInt8>) { writer.withBytes { $0.append(contentsOf: bytes) } }
}

extension OrganizationState {
    /// Content version 6: starts reading the contact table's image on a second thread, and reads
    /// the text index's image (when `withImage` says one follows) on this one. The table image
    /// states its length first, so this thread knows where the text index starts; the table is
    /// read, checked and indexed while this thread goes on with the text index and whatever
    /// follows the contacts (undo entries, calls). ``adoptTable(_:reader:)`` waits for it.
    mutating func startReadingTable(_ reader: inout BinaryReader, textIndexImage withImage: Bool) throws(CallsheetError) -> PendingTable {
        let tableReader = reader
        try reader.skip(try reader.count())
        let pending = PendingTable(start: tableReader.offset, withTextImage: withImage)
        DispatchQueue.global().async(group: pending.done) {
            var tableReader = tableReader
            pending.result = Result { () throws(CallsheetError) in
                let table = try ContactSlots.readImage(&tableReader)
                return (table, LoadedIndexes(of: table))
            }
        }
        if withImage {
            do {
                textIndex = try ContactTextIndex(image: &reader)
            } catch {
                pending.done.wait()
                throw error
            }
        }
        return pending
    }

    /// Waits for the table ``startReadingTable(_:textIndexImage:)`` started and adopts it with
    /// its indexes; checks the text index image against it, or builds the text index from it.
    mutating func adoptTable(_ pending: PendingTable, reader: BinaryReader) throws(CallsheetError) {
        pending.done.wait()
        let (table, indexes) = try pending.result!.get()
        contacts = table
        // Built off the shard once it serves (``OrganizationShard``), or by the first writes'
        // recording; a duplicate check searches text meanwhile. They were 3.8 µs a contact here.
        duplicateKeys = DuplicateKeyIndex.deferred(from: table)
        phoneIndex = indexes.phones
        tagIndex = indexes.tags
        tagDisplay = indexes.display
        departmentIndex = indexes.departments
        orderedIDs = indexes.ordered
        nextContactID = max(nextContactID, indexes.nextContactID)
        if pending.withTextImage {
            if let problem = textIndex.checkImage(against: contacts) { throw reader.corrupt(problem, at: pending.start) }
        } else {
            textIndex.putAll(contacts)
        }
    }
}

/// A contact table image being read on a second thread (``OrganizationState/startReadingTable(_:textIndexImage:)``):
/// `@unchecked Sendable` because the thread writes `result` before leaving `done`, and nothing
/// reads it before waiting on the group.
final class PendingTable: @unchecked Sendable {
    let done = DispatchGroup()
    var result: Result<(ContactSlots, LoadedIndexes), CallsheetError>?
    let start: Int
    let withTextImage: Bool

    init(start: Int, withTextImage: Bool) {
        self.start = start
        self.withTextImage = withTextImage
    }
}

/// The indexes but the text index, rebuilt from a contact table image.
struct LoadedIndexes {
    var phones = PhoneMap()
    var tags: [TagKey: SortedIDs] = [:]
    var display: [TagKey: String] = [:]
    var departments: [DepartmentID: SortedIDs] = [:]
    var ordered = SortedIDs()
    var nextContactID: ContactID = 1

    init(of table: ContactSlots) {
        phones.reserveCapacity(table.count)
        // A shared tag list's keys are worked out once, however many contacts carry it.
        var sharedKeys: [UInt32: [(TagKey, String)]] = [:]
        func keyed(_ tags: [String]) -> [(TagKey, String)] { tags.compactMap { tag in TagKey(tag).map { ($0, tag) } } }
        table.forEachIndexEntry { id, department, phone, tags in
            switch phone {
            case .digits(let digits): phones[digits: digits] = id
            case .text(let text): phones[text] = id
            }
            let tagKeys: [(TagKey, String)]
            switch tags {
            case .shared(let number):
                if let known = sharedKeys[number] {
                    tagKeys = known
                } else {
                    tagKeys = keyed(table.texts[tags: number])
                    sharedKeys[number] = tagKeys
                }
            case .inline(let list): tagKeys = keyed(list)
            }
            // As a load contact by contact: the latest spelling applied is the display form.
            for (key, tag) in tagKeys {
                self.tags[key, default: []].insert(id)
                display[key] = tag
            }
            departments[department, default: []].insert(id)
            ordered.insert(id)
            nextContactID = max(nextContactID, id + 1)
        }
    }
}
