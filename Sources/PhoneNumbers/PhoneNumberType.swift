import CPhoneNumber

/// What kind of line a number belongs to, as libphonenumber's metadata says
/// (`PhoneNumberUtil::PhoneNumberType`).
///
/// Raw values are stable names, safe to store and send.
/// In regions such as the US, fixed-line and mobile numbers share ranges, so
/// they are `fixedLineOrMobile`. Numbers that are possible but not valid are
/// `unknown`.
public enum PhoneNumberType: String, Sendable, Codable, CaseIterable {
    case fixedLine
    case mobile
    case fixedLineOrMobile
    case tollFree
    case premiumRate
    case sharedCost
    case voip
    case personalNumber
    case pager
    case uan
    case voicemail
    case unknown
}

extension PhoneNumberType {
    init(_ type: cpn_number_type) {
        switch type {
        case CPN_TYPE_FIXED_LINE: self = .fixedLine
        case CPN_TYPE_MOBILE: self = .mobile
        case CPN_TYPE_FIXED_LINE_OR_MOBILE: self = .fixedLineOrMobile
        case CPN_TYPE_TOLL_FREE: self = .tollFree
        case CPN_TYPE_PREMIUM_RATE: self = .premiumRate
        case CPN_TYPE_SHARED_COST: self = .sharedCost
        case CPN_TYPE_VOIP: self = .voip
        case CPN_TYPE_PERSONAL_NUMBER: self = .personalNumber
        case CPN_TYPE_PAGER: self = .pager
        case CPN_TYPE_UAN: self = .uan
        case CPN_TYPE_VOICEMAIL: self = .voicemail
        default: self = .unknown
        }
    }

    var cValue: cpn_number_type {
        switch self {
        case .fixedLine: CPN_TYPE_FIXED_LINE
        case .mobile: CPN_TYPE_MOBILE
        case .fixedLineOrMobile: CPN_TYPE_FIXED_LINE_OR_MOBILE
        case .tollFree: CPN_TYPE_TOLL_FREE
        case .premiumRate: CPN_TYPE_PREMIUM_RATE
        case .sharedCost: CPN_TYPE_SHARED_COST
        case .voip: CPN_TYPE_VOIP
        case .personalNumber: CPN_TYPE_PERSONAL_NUMBER
        case .pager: CPN_TYPE_PAGER
        case .uan: CPN_TYPE_UAN
        case .voicemail: CPN_TYPE_VOICEMAIL
        case .unknown: CPN_TYPE_UNKNOWN
        }
    }
}
