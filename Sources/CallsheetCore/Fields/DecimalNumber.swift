/// An exact decimal number: the `decimal` custom field type (money, such as the seed's
/// `account_value`). `12.345678901234567890` is kept to its last digit, where a `Double` would
/// keep about 16 significant digits.
///
/// Holds up to ``maximumDigits`` significant digits with up to ``maximumScale`` after the point
/// (SQL's `DECIMAL(38, 18)`); a value needing more is refused rather than rounded. Canonical: no
/// trailing zeros after the point, so `1.50` and `1.5` are one value.
public struct DecimalNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value is `units / 10^scale`.
    public private(set) var units: Int128
    public private(set) var scale: Int

    public static let maximumDigits = 38
    public static let maximumScale = 18

    public init(_ value: Int64) {
        units = Int128(value)
        scale = 0
    }

    /// Reads `[+-]digits[.digits][e[+-]digits]`; nil for anything else, or for a value beyond
    /// ``maximumDigits`` significant digits or ``maximumScale`` digits after the point.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard byte &- UInt8(ascii: "0") < 10 else { return nil }
            seenDigit = true
            if digits.isEmpty, byte == UInt8(ascii: "0") {
                if seenPoint { fractionDigits += 1 }
                continue
            }
            digits.append(byte &- UInt8(ascii: "0"))
            if seenPoint { fractionDigits += 1 }
            guard digits.count <= Self.maximumDigits + Self.maximumScale + 2 else { return nil }
        }
        guard seenDigit else { return nil }
        var exponent = 0
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
            for byte in bytes {
                guard byte &- UInt8(ascii: "0") < 10 else { return nil }
                exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
            }
            if exponentNegative { exponent = -exponent }
        }
        // value = digits × 10^(exponent − fractionDigits); drop trailing zeros of the fraction.
        var scale = fractionDigits - exponent
        while scale > 0, let last = digits.last, last == 0 {
            digits.removeLast()
            scale -= 1
        }
        if digits.isEmpty { scale = 0 }
        while scale < 0 {
            digits.append(0)
            scale += 1
        }
        guard digits.count <= Self.maximumDigits, scale <= Self.maximumScale else { return nil }
        var units: Int128 = 0
        for digit in digits { units = units * 10 + Int128(digit) }
        self.units = negative ? -units : units
        self.scale = scale
    }

    /// The shortest decimal that reads back as `value` (values stored before exact decimals).
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.init(value.description)
    }

    /// The exact decimal text: `-1234.5`, `0.001`, `42`.
    public var description: String {
        let magnitude = units.magnitude
        var text = String(magnitude)
        if scale > 0 {
            if text.count <= scale { text = String(repeating: "0", count: scale - text.count + 1) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
        }
        return units < 0 ? "-" + text : text
    }

    /// The nearest `Double`, for filters' comparisons and clients that want a float.
    public var doubleValue: Double { Double(description) ?? .nan }

    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        // Compare at the larger scale; both fit: 38 digits + 18 of scaling stay below 2^127 only
        // when one side has few digits, so fall back to text-free Double only if scaling overflows.
        let scale = max(lhs.scale, rhs.scale)
        let (left, leftOverflow) = lhs.units.multipliedReportingOverflow(by: power(scale - lhs.scale))
        let (right, rightOverflow) = rhs.units.multipliedReportingOverflow(by: power(scale - rhs.scale))
        if !leftOverflow, !rightOverflow { return left < right }
        return lhs.doubleValue < rhs.doubleValue
    }

    private static func power(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

extension DecimalNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int64) { self.init(value) }

    /// A literal's shortest decimal text (`50000.25` is exactly 50000.25).
    public init(floatLiteral value: Double) { self = DecimalNumber(value) ?? DecimalNumber(0) }
}
