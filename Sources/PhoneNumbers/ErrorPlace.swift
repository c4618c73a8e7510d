/// Where a length was judged, for messages: " for region US" or
/// " for country code +44".
struct ErrorPlace {
    let text: String
    let defaultRegion: String
    let analysis: NumberAnalysis

    /// Parsing failed, so the number's own country is unknown: name the
    /// default region unless the text was international.
    var beforeParsing: String {
        guard !PhoneNumberNormalizer.startsWithPlus(text), analysis.defaultRegionCountryCode != 0 else {
            return ""
        }
        return " for region \(defaultRegion.uppercased())"
    }

    /// Parsing worked: name the default region when the number is from it,
    /// else the number's country code.
    var afterParsing: String {
        if analysis.countryCode == analysis.defaultRegionCountryCode {
            return " for region \(defaultRegion.uppercased())"
        }
        return " for country code +\(analysis.countryCode)"
    }
}
