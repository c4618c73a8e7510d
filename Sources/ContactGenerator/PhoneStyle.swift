/// A way people write a phone number in a spreadsheet.
///
/// Home-region (US) numbers use every style; numbers of other countries always carry
/// their `+` country code, so they parse both with their own region and with the
/// importing organization's US default.
enum PhoneStyle: UInt8, Sendable, Hashable, CaseIterable {
    /// `+16502530000`
    case e164
    /// `+1 650 253 0000`, `+44 7911 123456`
    case internationalSpaced
    /// `+1-650-253-0000`
    case internationalDashed
    /// `+33.6.12.34.56.78`
    case internationalDotted
    /// `+44 (0)20 7946 0123`
    case internationalWithTrunk
    /// `+1 (650) 253-0000`
    case internationalParens
    /// `(650) 253-0000`
    case nationalParens
    /// `650-253-0000`
    case nationalDashed
    /// `650.253.0000`
    case nationalDotted
    /// `650 253 0000`
    case nationalSpaced
    /// `6502530000`
    case nationalCompact
    /// `1-650-253-0000`
    case countryCodeDashed
    /// `16502530000`
    case countryCodeCompact

    /// Styles for numbers of the generator's home region (NANP grouping 3-3-4).
    static let home: [PhoneStyle] = [
        .e164, .internationalSpaced, .internationalDashed, .internationalParens,
        .nationalParens, .nationalDashed, .nationalDotted, .nationalSpaced, .nationalCompact,
        .countryCodeDashed, .countryCodeCompact,
    ]

    /// Styles for numbers of other countries: always with `+` and the country code.
    static let foreign: [PhoneStyle] = [
        .e164, .internationalSpaced, .internationalDashed, .internationalDotted, .internationalWithTrunk,
    ]

    /// Writes the national significant number `digits` (ASCII) of `plan` in this style.
    func render(_ digits: UnsafeBufferPointer<UInt8>, plan: PhonePlan) -> String {
        // 40 bytes hold the longest style (`+44 (0)20 7946 0123` and kin) with room to spare.
        String(unsafeUninitializedCapacity: 40) { buffer in
            var out = ASCIIWriter(buffer: buffer)
            write(digits, plan: plan, to: &out)
            return out.count
        }
    }

    private func write(_ digits: UnsafeBufferPointer<UInt8>, plan: PhonePlan, to out: inout ASCIIWriter) {
        switch self {
        case .e164:
            out.international(plan, separator: "")
            out.append(digits)
        case .internationalSpaced:
            out.international(plan, separator: " ")
            out.grouped(digits, plan.grouping, separator: " ")
        case .internationalDashed:
            out.international(plan, separator: "-")
            out.grouped(digits, plan.grouping, separator: "-")
        case .internationalDotted:
            out.international(plan, separator: ".")
            out.grouped(digits, plan.grouping, separator: ".")
        case .internationalWithTrunk:
            out.international(plan, separator: " (")
            out.append(plan.nationalPrefix)
            out.append(")")
            out.grouped(digits, plan.grouping, separator: " ")
        case .internationalParens:
            out.international(plan, separator: " ")
            out.nanpParens(digits)
        case .nationalParens:
            out.nanpParens(digits)
        case .nationalDashed:
            out.append(plan.nationalPrefix)
            out.grouped(digits, plan.grouping, separator: "-")
        case .nationalDotted:
            out.append(plan.nationalPrefix)
            out.grouped(digits, plan.grouping, separator: ".")
        case .nationalSpaced:
            out.append(plan.nationalPrefix)
            out.grouped(digits, plan.grouping, separator: " ")
        case .nationalCompact:
            out.append(plan.nationalPrefix)
            out.append(digits)
        case .countryCodeDashed:
            out.append(plan.countryCode)
            out.append("-")
            out.grouped(digits, plan.grouping, separator: "-")
        case .countryCodeCompact:
            out.append(plan.countryCode)
            out.append(digits)
        }
    }
}

/// Appends ASCII into a fixed buffer sized for the longest phone writing.
private struct ASCIIWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    mutating func append(_ byte: UInt8) {
        guard count < buffer.count else { return }
        buffer[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes { append(byte) }
    }

    mutating func append(_ text: String) {
        for byte in text.utf8 { append(byte) }
    }

    mutating func international(_ plan: PhonePlan, separator: String) {
        append(UInt8(ascii: "+"))
        append(plan.countryCode)
        append(separator)
    }

    mutating func grouped(_ digits: UnsafeBufferPointer<UInt8>, _ grouping: [Int], separator: String) {
        var start = 0
        for (index, size) in grouping.enumerated() {
            if index > 0 { append(separator) }
            let end = min(start + size, digits.count)
            append(UnsafeBufferPointer(rebasing: digits[start..<end]))
            start = end
        }
    }

    /// `(650) 253-0000`. Only NANP plans use these styles; other lengths get plain digits.
    mutating func nanpParens(_ digits: UnsafeBufferPointer<UInt8>) {
        guard digits.count == 10 else {
            append(digits)
            return
        }
        append("(")
        append(UnsafeBufferPointer(rebasing: digits[0..<3]))
        append(") ")
        append(UnsafeBufferPointer(rebasing: digits[3..<6]))
        append("-")
        append(UnsafeBufferPointer(rebasing: digits[6..<10]))
    }
}
