/// ISO 8601 text for ``Timestamp`` values (`2026-11-24T23:58:58.123Z`), and calendar-date checks.
///
/// Hand-written (days-from-civil, H. Hinnant) because Foundation's formatters cost microseconds per
/// call on the reply path.
public enum TimestampFormat {
    public static func iso8601(_ milliseconds: Timestamp) -> String {
        let seconds = milliseconds.floorDivided(by: 1000)
        let millis = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or an ISO 8601 / RFC 3339 time:
    /// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or an offset (`+02:00`, `-0500`, `+01`).
    /// A time with no zone is refused (nil): it could be anywhere.
    public static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              isValidDate(year: year, month: month, day: day) else { return nil }
        var milliseconds = days(fromCivil: year, month, day) * 86_400_000
        if bytes.count == 10 { return milliseconds }
        // Time of day: hh:mm, then :ss, then a fraction of any length (kept to milliseconds).
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), let hour = number(11..<13), let minute = number(14..<16),
              hour < 24, minute < 60 else { return nil }
        milliseconds += Int64(hour * 3_600_000 + minute * 60_000)
        var index = 16
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard let second = number((index + 1)..<(index + 3)), second < 60 else { return nil }
            milliseconds += Int64(second * 1000)
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                var digits = 0
                var fraction = 0
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    if digits < 3 { fraction = fraction * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                    digits += 1
                    index += 1
                }
                guard digits > 0, digits <= 9 else { return nil }
                for _ in digits..<max(digits, 3) { fraction *= 10 }
                milliseconds += Int64(fraction)
            }
        }
        // The zone: Z, or an offset ±hh:mm, ±hhmm or ±hh. A time without one is ambiguous.
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            return index + 1 == bytes.count ? milliseconds : nil
        }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
        let zone = bytes.count - index - 1
        guard let offsetHours = number((index + 1)..<(index + 3)), offsetHours < 24 else { return nil }
        var offsetMinutes = 0
        switch zone {
        case 2: break
        case 4: guard let value = number((index + 3)..<(index + 5)) else { return nil }; offsetMinutes = value
        case 5:
            guard bytes[index + 3] == UInt8(ascii: ":"), let value = number((index + 4)..<(index + 6)) else { return nil }
            offsetMinutes = value
        default: return nil
        }
        guard offsetMinutes < 60 else { return nil }
        // Local time = UTC + offset, so UTC = local − offset.
        return milliseconds - sign * Int64(offsetHours * 3_600_000 + offsetMinutes * 60_000)
    }

    /// True for a real calendar date (leap years included).
    public static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return day <= (month == 2 && leap ? 29 : lengths[month - 1])
    }

    /// True when `text` is a real date written `YYYY-MM-DD`.
    public static func isCalendarDate(_ text: String) -> Bool {
        text.utf8.count == 10 && parse(text) != nil
    }

    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = y.floorDivided(by: 400)
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension TimestampFormat {
    /// Appends `2026-11-24T23:58:58.123Z` (what ``iso8601(_:)`` returns) without building a String:
    /// JSON replies and CSV exports write millions of them.
    public static func appendISO8601(_ milliseconds: Int64, to bytes: inout [UInt8]) {
        let seconds = milliseconds.floorDivided(by: 1000)
        let millis = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else {
            bytes.append(contentsOf: iso8601(milliseconds).utf8)
            return
        }
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); bytes.append(UInt8(ascii: "-"))
        digits(month, 2); bytes.append(UInt8(ascii: "-"))
        digits(day, 2); bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2); bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2); bytes.append(UInt8(ascii: "."))
        digits(millis, 3)
        bytes.append(UInt8(ascii: "Z"))
    }
}
