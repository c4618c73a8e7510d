import ContactGenerator
import PhoneNumbers
import Testing

/// The generator's phones checked by the real libphonenumber, through `PhoneNumberNormalizer`.
@Suite("Generated phones against libphonenumber")
struct GeneratedPhoneValidityTests {
    static let rows = ContactGenerator.contacts(count: 20_000, seed: 2025)
    let normalizer = PhoneNumberNormalizer()

    @Test("every phone is VALID for its region and normalizes to the generator's E.164")
    func validForOwnRegion() {
        var failures: [String] = []
        for contact in Self.rows {
            do {
                let number = try normalizer.parse(contact.phone, defaultRegion: contact.region, validation: .valid)
                if number.e164 != contact.e164 || number.regionCode != contact.region {
                    failures.append("\(contact.phone) [\(contact.region)] → \(number.e164) \(number.regionCode ?? "-")")
                }
            } catch {
                failures.append("\(contact.phone) [\(contact.region)]: \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    @Test("every phone also parses with the home region, as a US organization's import would")
    func validForHomeRegion() {
        var failures: [String] = []
        for contact in Self.rows {
            do {
                let number = try normalizer.parse(
                    contact.phone, defaultRegion: ContactGenerator.homeRegion, validation: .valid)
                if number.e164 != contact.e164 {
                    failures.append("\(contact.phone) → \(number.e164), expected \(contact.e164)")
                }
            } catch {
                failures.append("\(contact.phone): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    @Test("about 2% of rows are duplicates by normalized value, each written differently")
    func duplicatesByNormalizedValue() throws {
        var firstWriting: [String: String] = [:]
        var duplicates = 0
        for contact in Self.rows {
            let e164 = try normalizer.parse(contact.phone, defaultRegion: ContactGenerator.homeRegion).e164
            if let earlier = firstWriting[e164] {
                duplicates += 1
                #expect(contact.phone != earlier)
            } else {
                firstWriting[e164] = contact.phone
            }
        }
        let share = Double(duplicates) / Double(Self.rows.count)
        #expect((0.015...0.025).contains(share), "duplicate share \(share)")
    }
}
