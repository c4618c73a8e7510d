// The C ABI declared in include/CPhoneNumber.h, over libphonenumber's
// PhoneNumberUtil. No exception crosses an extern "C" function: each one
// catches everything and reports it in its return value.

#include "CPhoneNumber.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace {

using i18n::phonenumbers::NullLogger;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/// The shared PhoneNumberUtil, initialized once (a C++11 function-local static
/// is thread-safe) with a logger that writes nothing: libphonenumber logs
/// warnings such as "Invalid or missing region code" for ordinary bad input.
/// After this, only const methods are used, which libphonenumber makes safe
/// for concurrent callers.
const PhoneNumberUtil &Util() {
    static const PhoneNumberUtil *const util = [] {
        PhoneNumberUtil *instance = PhoneNumberUtil::GetInstance();
        instance->SetLogger(new NullLogger());  // takes ownership
        return instance;
    }();
    return *util;
}

/// Region codes are upper-case in libphonenumber's metadata; accept "us".
/// Anything too long to be a region becomes "ZZ" (unknown region).
std::string RegionCode(const char *region, size_t length) {
    if (region == nullptr || length == 0 || length > 3) {
        return "ZZ";
    }
    std::string code(region, length);
    for (char &c : code) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return code;
}

/// Copies `source` into a fixed field, truncating, and NUL-terminates it.
template <size_t Capacity>
uint8_t CopyField(const std::string &source, char (&field)[Capacity]) {
    const size_t length = std::min(source.size(), Capacity - 1);
    std::memcpy(field, source.data(), length);
    field[length] = '\0';
    return static_cast<uint8_t>(length);
}

/// Fills everything but parse_error and default_region_country_code.
///
/// IsValidNumber is GetRegionCodeForNumber + IsValidNumberForRegion, which is
/// "GetNumberTypeHelper != UNKNOWN" on the same metadata GetNumberType uses,
/// so validity is read off the type instead of matching the patterns twice.
void Describe(const PhoneNumberUtil &util, const PhoneNumber &number, cpn_number *out) {
    out->possibility = static_cast<cpn_possibility>(util.IsPossibleNumberWithReason(number));
    const PhoneNumberUtil::PhoneNumberType type = util.GetNumberType(number);
    out->type = static_cast<cpn_number_type>(type);
    out->is_valid = type != PhoneNumberUtil::UNKNOWN;
    out->country_code = number.country_code();

    std::string text;
    util.Format(number, PhoneNumberUtil::E164, &text);
    out->e164_length = CopyField(text, out->e164);

    text.clear();
    util.GetRegionCodeForNumber(number, &text);
    out->region_length = CopyField(text, out->region);

    out->extension_length = CopyField(number.extension(), out->extension);
}

void Reset(cpn_number *out) {
    std::memset(out, 0, sizeof *out);
    out->possibility = CPN_POSSIBILITY_INVALID_COUNTRY_CODE;
    out->type = CPN_TYPE_UNKNOWN;
}

int32_t CopyOut(const std::string &text, char *buffer, size_t capacity) {
    if (buffer != nullptr && capacity > 0) {
        const size_t length = std::min(text.size(), capacity - 1);
        std::memcpy(buffer, text.data(), length);
        buffer[length] = '\0';
    }
    return static_cast<int32_t>(text.size());
}

}  // namespace

extern "C" void cpn_parse(const char *text, size_t text_length,
                          const char *region, size_t region_length,
                          cpn_number *out) {
    Reset(out);
    try {
        const PhoneNumberUtil &util = Util();
        const std::string region_code = RegionCode(region, region_length);
        out->default_region_country_code = util.GetCountryCodeForRegion(region_code);

        PhoneNumber number;
        const std::string input(text == nullptr ? "" : std::string(text, text_length));
        const PhoneNumberUtil::ErrorType error = util.Parse(input, region_code, &number);
        out->parse_error = static_cast<cpn_parse_error>(error);
        if (error == PhoneNumberUtil::NO_PARSING_ERROR) {
            Describe(util, number, out);
        }
    } catch (...) {
        const int32_t region_country_code = out->default_region_country_code;
        Reset(out);
        out->default_region_country_code = region_country_code;
        out->parse_error = CPN_PARSE_INTERNAL_FAILURE;
    }
}

extern "C" bool cpn_example_number(const char *region, size_t region_length,
                                   cpn_number_type type, cpn_number *out) {
    Reset(out);
    if (type < CPN_TYPE_FIXED_LINE || type > CPN_TYPE_UNKNOWN) {
        return false;
    }
    try {
        const PhoneNumberUtil &util = Util();
        const std::string region_code = RegionCode(region, region_length);
        PhoneNumber number;
        if (!util.GetExampleNumberForType(
                region_code, static_cast<PhoneNumberUtil::PhoneNumberType>(type), &number)) {
            return false;
        }
        out->default_region_country_code = util.GetCountryCodeForRegion(region_code);
        out->parse_error = CPN_PARSE_OK;
        Describe(util, number, out);
        return true;
    } catch (...) {
        Reset(out);
        return false;
    }
}

extern "C" bool cpn_is_supported_region(const char *region, size_t region_length) {
    try {
        // GetCountryCodeForRegion is 0 for unknown regions and for "001".
        return Util().GetCountryCodeForRegion(RegionCode(region, region_length)) != 0;
    } catch (...) {
        return false;
    }
}

extern "C" int32_t cpn_format(const char *e164, size_t e164_length,
                              cpn_format_style style,
                              char *buffer, size_t capacity) {
    if (buffer != nullptr && capacity > 0) {
        buffer[0] = '\0';
    }
    PhoneNumberUtil::PhoneNumberFormat format;
    switch (style) {
        case CPN_FORMAT_E164: format = PhoneNumberUtil::E164; break;
        case CPN_FORMAT_INTERNATIONAL: format = PhoneNumberUtil::INTERNATIONAL; break;
        case CPN_FORMAT_NATIONAL: format = PhoneNumberUtil::NATIONAL; break;
        default: return -1;
    }
    try {
        const PhoneNumberUtil &util = Util();
        PhoneNumber number;
        const std::string input(e164 == nullptr ? "" : std::string(e164, e164_length));
        if (util.Parse(input, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
            return -1;
        }
        std::string formatted;
        util.Format(number, format, &formatted);
        return CopyOut(formatted, buffer, capacity);
    } catch (...) {
        return -1;
    }
}

extern "C" int32_t cpn_supported_regions(char *buffer, size_t capacity) {
    try {
        std::set<std::string> regions;  // ordered, so the list is sorted
        Util().GetSupportedRegions(&regions);
        std::string joined;
        for (const std::string &region : regions) {
            if (!joined.empty()) {
                joined += ' ';
            }
            joined += region;
        }
        return CopyOut(joined, buffer, capacity);
    } catch (...) {
        if (buffer != nullptr && capacity > 0) {
            buffer[0] = '\0';
        }
        return -1;
    }
}
