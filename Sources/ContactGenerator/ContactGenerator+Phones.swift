extension ContactGenerator {
    /// A phone the generator handed out, kept so a later row can repeat it in another style.
    struct IssuedPhone: Sendable, Hashable {
        var plan: Int
        var number: UInt64
        var style: PhoneStyle
    }

    /// A phone for one row.
    struct DrawnPhone {
        var written: String
        var region: String
        var e164: String
        var isRepeat: Bool
    }

    /// How many earlier phones a repeat may be drawn from: enough to spread repeats far apart,
    /// few enough to keep this buffer at about 1.5 MB.
    static let issuedCapacity = 1 << 16

    mutating func nextPhone() -> DrawnPhone {
        if !issued.isEmpty, random.below(1_000_000) < repeatPerMillion {
            let earlier = issued[random.below(issued.count)]
            let styles = PhonePlan.all[earlier.plan].styles
            let candidate = styles[random.below(styles.count - 1)]
            let style = candidate == earlier.style ? styles[styles.count - 1] : candidate
            return render(IssuedPhone(plan: earlier.plan, number: earlier.number, style: style), isRepeat: true)
        }
        var planIndex: Int
        var number: UInt64
        repeat {
            planIndex = random.weightedIndex(PhonePlan.weights)
            number = randomNumber(PhonePlan.all[planIndex])
        } while !issuedNumbers.insert(Self.key(plan: planIndex, number: number)).inserted
        let plan = PhonePlan.all[planIndex]
        let phone = IssuedPhone(plan: planIndex, number: number, style: random.pick(plan.styles))
        if issued.count < Self.issuedCapacity {
            issued.append(phone)
        } else {
            issued[issuedNext] = phone
            issuedNext = (issuedNext + 1) % Self.issuedCapacity
        }
        return render(phone, isRepeat: false)
    }

    /// A fresh national significant number of `plan`, as an integer.
    private mutating func randomNumber(_ plan: PhonePlan) -> UInt64 {
        var number: UInt64 = 0
        var length = 0
        for digit in random.pick(plan.prefixes).utf8 {
            number = number * 10 + UInt64(digit - UInt8(ascii: "0"))
            length += 1
        }
        if plan.isNANP {
            // Exchange [2-9]XX, never N11 (service codes) or 555 (directory and fiction).
            var exchange: UInt64
            repeat {
                exchange = 200 + UInt64(random.below(800))
            } while exchange % 100 == 11 || exchange == 555
            number = number * 1000 + exchange
            length += 3
        }
        while length < plan.length {
            number = number * 10 + UInt64(random.below(10))
            length += 1
        }
        return number
    }

    /// The number as one integer, unique across plans: country code, then the national
    /// significant number (at most 11 digits, so the two never overlap).
    static func key(plan: Int, number: UInt64) -> UInt64 {
        PhonePlan.all[plan].countryCodeValue * 100_000_000_000 + number
    }

    private func render(_ phone: IssuedPhone, isRepeat: Bool) -> DrawnPhone {
        let plan = PhonePlan.all[phone.plan]
        // At most 11 digits: small enough to live inline, no per-row array.
        var digits: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var rest = phone.number
            for index in stride(from: plan.length - 1, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            let national = UnsafeBufferPointer(rebasing: buffer[0..<plan.length])
            return DrawnPhone(
                written: phone.style.render(national, plan: plan),
                region: plan.region,
                e164: PhoneStyle.e164.render(national, plan: plan),
                isRepeat: isRepeat
            )
        }
    }
}
