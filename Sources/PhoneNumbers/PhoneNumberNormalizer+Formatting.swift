import CPhoneNumber

extension PhoneNumberNormalizer {
    /// Writes `number` for people or for storage.
    ///
    /// `e164` returns ``PhoneNumber/e164`` unchanged; `international` and
    /// `national` use the country's grouping (`+44 20 7946 0958`,
    /// `020 7946 0958`) and append ` ext. 123` when there is an extension.
    /// Not for the hot path: it re-reads the E.164 text with libphonenumber.
    public func format(_ number: PhoneNumber, style: PhoneNumberFormat) -> String {
        let cStyle: cpn_format_style
        switch style {
        case .e164: return number.e164
        case .international: cStyle = CPN_FORMAT_INTERNATIONAL
        case .national: cStyle = CPN_FORMAT_NATIONAL
        }
        // A formatted number is ~25 bytes; 64 fits every country's patterns.
        let formatted = Self.readCString(capacity: 64) { buffer, capacity in
            cpn_format(number.e164, number.e164.utf8.count, cStyle, buffer, capacity)
        }
        guard let formatted else { return number.description }
        guard let phoneExtension = number.phoneExtension else { return formatted }
        return "\(formatted) ext. \(phoneExtension)"
    }

    /// Every region libphonenumber has metadata for ("AC" ... "ZW"), sorted.
    public var supportedRegions: [String] {
        // About 245 codes of 3 bytes each.
        let joined = Self.readCString(capacity: 1024) { buffer, capacity in
            cpn_supported_regions(buffer, capacity)
        }
        return joined?.split(separator: " ").map(String.init) ?? []
    }

    /// Calls `fill` with a stack buffer; when the text did not fit, once more
    /// with a buffer of the size `fill` reported. Nil when `fill` failed.
    static func readCString(
        capacity: Int,
        _ fill: (UnsafeMutablePointer<CChar>, Int) -> Int32
    ) -> String? {
        var needed = 0
        let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> String? in
            guard let base = buffer.baseAddress else { return nil }
            let length = Int(fill(base, capacity))
            guard length >= 0 else { return nil }
            guard length < capacity else {
                needed = length + 1
                return nil
            }
            return String(decoding: UnsafeRawBufferPointer(start: base, count: length), as: UTF8.self)
        }
        if let text { return text }
        guard needed > 0 else { return nil }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: needed)
        defer { buffer.deallocate() }
        let length = Int(fill(buffer, needed))
        guard length >= 0, length < needed else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    }
}
