import PhoneNumbers
import Testing

/// Every error code, with the message a person sees.
@Suite struct ErrorTests {
    let normalizer = PhoneNumberNormalizer()

    @Test("empty", arguments: ["", "   ", "\t\n", "\r\n "])
    func empty(text: String) {
        let error = failure(text, "US")
        #expect(error?.code == .empty)
        #expect(error?.message == "no phone number was given (the text is empty)")
    }

    @Test("notANumber", arguments: ["abc", "+44", "--- ()", "1", "call me"])
    func notANumber(text: String) {
        let error = failure(text, "US")
        #expect(error?.code == .notANumber)
        #expect(error?.message == "\"\(text)\" is not a phone number")
    }

    @Test("invalidCountryCode, whatever the default region")
    func invalidCountryCode() {
        for region in ["US", "DE", "XX", ""] {
            let error = failure("+999 123", region)
            #expect(error?.code == .invalidCountryCode)
            #expect(error?.message == "\"+999 123\" has an invalid country code")
        }
    }

    @Test("tooShort names the region, or the country code of an international number")
    func tooShort() {
        let us = failure("(555) 12", "US")
        #expect(us?.code == .tooShort)
        #expect(us?.message == "\"(555) 12\" is too short for region US")

        let france = failure("+33 1 23 45 67 8", "US")
        #expect(france?.code == .tooShort)
        #expect(france?.message == "\"+33 1 23 45 67 8\" is too short for country code +33")

        let afterPrefix = failure("011 44", "US")
        #expect(afterPrefix?.code == .tooShort)
        #expect(afterPrefix?.message == "\"011 44\" is too short after the international prefix")
        #expect(failure("00 49", "DE")?.code == .tooShort)
    }

    @Test("A local number without its area code is tooShort, with a hint")
    func localOnly() {
        for text in ["253 0000", "+1 555 0100"] {
            let error = failure(text, "US")
            #expect(error?.code == .tooShort)
            #expect(
                error?.message
                    == "\"\(text)\" is too short for region US (it looks like a local number; add the area code)"
            )
        }
        #expect(failure("12345678", "GB")?.code == .tooShort)
    }

    @Test("tooLong")
    func tooLong() {
        let us = failure("6502530000123456789", "US")
        #expect(us?.code == .tooLong)
        #expect(us?.message == "\"6502530000123456789\" is too long for region US")

        let france = failure("+33 1 23 45 67 890", "GB")
        #expect(france?.code == .tooLong)
        #expect(france?.message == "\"+33 1 23 45 67 890\" is too long for country code +33")
    }

    @Test("invalidLength: between the shortest and longest, but no number has it")
    func invalidLength() {
        // Swiss numbers have 9 or 12 digits; this one has 10.
        let error = failure("+41 21 234 56 785", "US")
        #expect(error?.code == .invalidLength)
        #expect(
            error?.message
                == "\"+41 21 234 56 785\" has an invalid length for country code +41 "
                + "(no numbers there have that many digits)"
        )
        #expect(failure("021 2345 6785", "CH")?.code == .invalidLength)
    }

    @Test("notValidNumber: the right length, but not an assigned range")
    func notValidNumber() {
        let error = failure("+1 555 555 0100", "US")
        #expect(error?.code == .notValidNumber)
        #expect(
            error?.message
                == "\"+1 555 555 0100\" is not a valid number "
                + "(it has the right length but no such numbers are assigned)"
        )
        // Ofcom's range reserved for TV drama.
        #expect(failure("07700 900123", "GB")?.code == .notValidNumber)
        // Germany's national prefix is 0, so a leading 1 is not a US number there.
        #expect(failure("1 650 253 0000", "DE")?.code == .notValidNumber)
    }

    @Test("unsupportedRegion when a national number needs an unknown region", arguments: ["XX", "", "USA", "ZZ", "001"])
    func unsupportedRegion(region: String) {
        let error = failure("650 253 0000", region)
        #expect(error?.code == .unsupportedRegion)
        #expect(
            error?.message
                == "\"650 253 0000\" has no country code and the default region \"\(region)\" "
                + "is not supported; use a region such as US or GB, or write the number with + and its country code"
        )
    }

    @Test("Messages quote at most 40 characters of the input")
    func longInputIsShortened() {
        let text = String(repeating: "1", count: 300)
        let error = failure(text, "US")
        #expect(error?.code == .tooLong)
        #expect(error?.message.hasPrefix("\"" + String(repeating: "1", count: 40) + "…\"") == true)
        #expect((error?.message.count ?? 0) < 80)
    }

    @Test("Codes are stable names, comparable and printable")
    func codes() {
        let all: [PhoneNumberError.Code] = [
            .notANumber, .invalidCountryCode, .tooShort, .tooLong,
            .invalidLength, .notValidNumber, .unsupportedRegion, .empty,
        ]
        #expect(Set(all).count == 8)
        #expect(all.map(\.description) == [
            "notANumber", "invalidCountryCode", "tooShort", "tooLong",
            "invalidLength", "notValidNumber", "unsupportedRegion", "empty",
        ])
        let error = PhoneNumberError(code: .tooShort, message: "m")
        #expect(error == PhoneNumberError(code: .tooShort, message: "m"))
        #expect(error != PhoneNumberError(code: .tooLong, message: "m"))
        #expect(error.description == "tooShort: m")
    }

    @Test("Errors can be caught by code through typed throws")
    func typedThrows() {
        do {
            _ = try normalizer.parse("(555) 12", defaultRegion: "US")
            Issue.record("expected an error")
        } catch where error.code == .tooShort {
            // The catch is typed: `error` is a PhoneNumberError.
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    private func failure(_ text: String, _ region: String) -> PhoneNumberError? {
        do {
            _ = try normalizer.parse(text, defaultRegion: region)
            return nil
        } catch {
            return error
        }
    }
}
