import CallsheetCore

/// Decodes the input with the binary codec of docs/STORAGE.md ("Record payloads"). The first
/// byte picks what: even is a journal change set (`RecordCodec.decodeChangeSet`), odd is a
/// snapshot's organization state (`OrganizationState.decode`), of content version 1 when its
/// second bit is clear and of version 2 (with the text index image) when set. The rest is the payload.
///
/// Decoding may normalize (bad UTF-8 becomes U+FFFD, long varints get short), so the property
/// is on the second encoding: encode(decode(encode(x))) == encode(x) for every x that decodes.
enum RecordCodecFuzz {
    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        guard let selector = data.first else { return }
        let payload = Array(data[1...])
        if selector & 1 == 0 {
            try changeSet(payload)
        } else {
            try organizationState(payload, indexImage: selector & 2 != 0)
        }
    }

    static func changeSet(_ payload: [UInt8]) throws(FuzzFailure) {
        guard let decoded = try? RecordCodec.decodeChangeSet(payload) else { return }
        let encoded = RecordCodec.encode(decoded)
        let again: ChangeSet
        do {
            again = try RecordCodec.decodeChangeSet(encoded)
        } catch {
            throw FuzzFailure(.codec, "an encoded change set decodes", "\(error) for \(preview(encoded))")
        }
        guard RecordCodec.encode(again) == encoded else {
            throw FuzzFailure(.codec, "encode(decode(encode(x))) == encode(x) for change sets", preview(encoded))
        }
    }

    static func organizationState(_ payload: [UInt8], indexImage: Bool) throws(FuzzFailure) {
        var reader = BinaryReader(payload)
        guard let decoded = try? OrganizationState.decode(&reader, indexImage: indexImage) else { return }
        var writer = BinaryWriter()
        decoded.encode(into: &writer, indexImage: indexImage)
        let encoded = writer.bytes
        var rereader = BinaryReader(encoded)
        let again: OrganizationState
        do {
            again = try OrganizationState.decode(&rereader, indexImage: indexImage)
        } catch {
            throw FuzzFailure(.codec, "an encoded organization state decodes", "\(error) for \(preview(encoded))")
        }
        var rewriter = BinaryWriter()
        again.encode(into: &rewriter, indexImage: indexImage)
        guard rewriter.bytes == encoded else {
            throw FuzzFailure(.codec, "encode(decode(encode(x))) == encode(x) for organization states", preview(encoded))
        }
    }
}
