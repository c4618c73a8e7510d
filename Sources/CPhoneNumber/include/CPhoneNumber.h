// CPhoneNumber: a plain-C face over Google's libphonenumber (C++).
//
// Swift imports this header as C, without C++ interop. Every function:
// - takes text as (pointer, length) UTF-8, not NUL-terminated;
// - writes strings only into storage the caller owns (the fields of a
//   cpn_number, or an explicit buffer and capacity), never malloc'd memory;
// - catches every C++ exception before returning;
// - is safe to call from any number of threads at once (libphonenumber's
//   PhoneNumberUtil is a pthread_once singleton whose regexp cache is locked,
//   and the shim initializes it exactly once, with a logger that writes nothing).

#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Mirrors PhoneNumberUtil::ErrorType, plus a code for a caught C++ exception.
typedef enum cpn_parse_error : int32_t {
    CPN_PARSE_OK = 0,
    CPN_PARSE_INVALID_COUNTRY_CODE = 1,
    CPN_PARSE_NOT_A_NUMBER = 2,
    CPN_PARSE_TOO_SHORT_AFTER_IDD = 3,
    CPN_PARSE_TOO_SHORT_NSN = 4,
    CPN_PARSE_TOO_LONG_NSN = 5,
    /// libphonenumber threw (out of memory); nothing else in the result is set.
    CPN_PARSE_INTERNAL_FAILURE = 100,
} cpn_parse_error;

/// Mirrors PhoneNumberUtil::ValidationResult (IsPossibleNumberWithReason).
typedef enum cpn_possibility : int32_t {
    CPN_POSSIBLE = 0,
    CPN_POSSIBLE_LOCAL_ONLY = 1,
    CPN_POSSIBILITY_INVALID_COUNTRY_CODE = 2,
    CPN_POSSIBILITY_TOO_SHORT = 3,
    CPN_POSSIBILITY_INVALID_LENGTH = 4,
    CPN_POSSIBILITY_TOO_LONG = 5,
} cpn_possibility;

/// Mirrors PhoneNumberUtil::PhoneNumberType, value for value.
typedef enum cpn_number_type : int32_t {
    CPN_TYPE_FIXED_LINE = 0,
    CPN_TYPE_MOBILE = 1,
    CPN_TYPE_FIXED_LINE_OR_MOBILE = 2,
    CPN_TYPE_TOLL_FREE = 3,
    CPN_TYPE_PREMIUM_RATE = 4,
    CPN_TYPE_SHARED_COST = 5,
    CPN_TYPE_VOIP = 6,
    CPN_TYPE_PERSONAL_NUMBER = 7,
    CPN_TYPE_PAGER = 8,
    CPN_TYPE_UAN = 9,
    CPN_TYPE_VOICEMAIL = 10,
    CPN_TYPE_UNKNOWN = 11,
} cpn_number_type;

/// Mirrors PhoneNumberUtil::PhoneNumberFormat (without RFC3966).
typedef enum cpn_format_style : int32_t {
    CPN_FORMAT_E164 = 0,
    CPN_FORMAT_INTERNATIONAL = 1,
    CPN_FORMAT_NATIONAL = 2,
} cpn_format_style;

/// Capacities of the string fields of cpn_number, NUL included.
/// E.164 is at most "+" + 3 country digits + 17 national digits.
enum {
    CPN_E164_CAPACITY = 24,
    CPN_REGION_CAPACITY = 4,
    CPN_EXTENSION_CAPACITY = 24,
};

/// Everything one parse learns about a number, filled by cpn_parse and
/// cpn_example_number into memory the caller owns (usually the stack).
typedef struct cpn_number {
    /// CPN_PARSE_OK, or why the text is not a phone number. When not OK, only
    /// default_region_country_code is meaningful.
    cpn_parse_error parse_error;
    /// IsPossibleNumberWithReason: a length check against the number's region.
    cpn_possibility possibility;
    /// GetNumberType; CPN_TYPE_UNKNOWN for numbers that are not valid.
    cpn_number_type type;
    /// IsValidNumber: the digits match a range assigned in the region.
    bool is_valid;
    /// The country calling code of the number (1, 44, 49, ...).
    int32_t country_code;
    /// The country calling code of the default region passed in; 0 when that
    /// region is not supported. Set even when parsing fails.
    int32_t default_region_country_code;
    /// Lengths of the strings below, NUL not counted.
    uint8_t e164_length;
    uint8_t region_length;
    uint8_t extension_length;
    /// The number in E.164 ("+16502530000"), NUL-terminated.
    char e164[CPN_E164_CAPACITY];
    /// GetRegionCodeForNumber: "US", "001" (non-geographic), "ZZ" (unknown).
    char region[CPN_REGION_CAPACITY];
    /// Digits of an extension ("ext. 123"), empty when none. Truncated to
    /// capacity - 1 (libphonenumber accepts at most 20 extension digits).
    char extension[CPN_EXTENSION_CAPACITY];
} cpn_number;

/// Parses `text` as a phone number, reading national numbers as belonging to
/// `region` (ISO 3166 alpha-2, any case; "ZZ" when every input starts with +),
/// and fills `out` with the parse outcome, possibility, validity, type,
/// region and E.164 form. Never fails to return; see out->parse_error.
void cpn_parse(const char *text, size_t text_length,
               const char *region, size_t region_length,
               cpn_number *out);

/// Fills `out` with libphonenumber's example number of `type` for `region`,
/// analyzed as cpn_parse would. Returns false when there is none (unknown
/// region, "001", or no such type there).
bool cpn_example_number(const char *region, size_t region_length,
                        cpn_number_type type, cpn_number *out);

/// Whether libphonenumber has metadata for `region` (ISO 3166 alpha-2, any case).
bool cpn_is_supported_region(const char *region, size_t region_length);

/// Formats a number given in E.164 (as produced by cpn_parse) in `style`,
/// writing at most `capacity` bytes, NUL included, into `buffer`.
/// Returns the length of the full formatted text (like snprintf: when it is
/// >= capacity the output was truncated), or -1 when `e164` is not a number.
int32_t cpn_format(const char *e164, size_t e164_length,
                   cpn_format_style style,
                   char *buffer, size_t capacity);

/// Writes every supported region code, sorted, separated by single spaces,
/// into `buffer` (NUL-terminated, truncated to `capacity`). Returns the full
/// length like snprintf, or -1 on an internal failure.
int32_t cpn_supported_regions(char *buffer, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif // CPHONENUMBER_H
