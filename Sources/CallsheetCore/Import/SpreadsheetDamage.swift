import PhoneNumbers

/// Recognises phone cells a spreadsheet has turned into numbers: `1.55512E+10` (digits lost),
/// `15551234567.0` (a trailing `.0`), and numbers that lost a leading `0`, `00` or `+`.
enum SpreadsheetDamage {
    enum Finding: Equatable {
        /// Digits are gone; the cell cannot be trusted.
        case scientific
        /// The cell reads correctly once the `.0` is dropped.
        case trailingZero(repaired: String)
    }

    /// What is wrong with a phone cell's text before it is parsed, if anything.
    static func inspect(_ text: String) -> Finding? {
        let utf8 = text.utf8
        guard let first = utf8.first, first == UInt8(ascii: "+") || (0x30...0x39).contains(first) else { return nil }
        if let e = utf8.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) {
            let mantissa = text[..<e].utf8
            let exponent = text[text.index(after: e)...].utf8.drop { $0 == UInt8(ascii: "+") }
            let mantissaOK = !mantissa.isEmpty && mantissa.allSatisfy { (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "+") }
            let exponentOK = !exponent.isEmpty && exponent.allSatisfy { (0x30...0x39).contains($0) }
            return mantissaOK && exponentOK ? .scientific : nil
        }
        if let dot = utf8.firstIndex(of: UInt8(ascii: ".")) {
            let whole = text[..<dot]
            let fraction = text[text.index(after: dot)...]
            let wholeDigits = whole.utf8.drop { $0 == UInt8(ascii: "+") }
            if wholeDigits.count >= 6, wholeDigits.allSatisfy({ (0x30...0x39).contains($0) }),
               !fraction.isEmpty, fraction.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) {
                return .trailingZero(repaired: String(whole))
            }
        }
        return nil
    }

    /// For a digits-only cell that did not parse: the reading that would have, had the spreadsheet
    /// kept a leading `0`, `00` or `+`; nil when none does.
    static func lostPrefix(_ text: String, region: String, phones: PhoneNumberNormalizer, validation: PhoneValidation) -> String? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        for prefix in ["0", "+", "00"] {
            let candidate = prefix + text
            if (try? phones.parse(candidate, defaultRegion: region, validation: validation)) != nil { return candidate }
        }
        return nil
    }
}
