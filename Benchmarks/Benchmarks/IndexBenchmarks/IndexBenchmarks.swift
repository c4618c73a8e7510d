// The trigram index on its own (TextIndex: insert one contact, insert in bulk, query) and phone
// number parsing (PhoneNumbers over libphonenumber) for numbers of several regions.
import Benchmark
import BenchmarkFixtures
import ContactGenerator
import PhoneNumbers
import TextIndex

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = Settings.configuration(.nanoseconds, warmup: 1_000, seconds: 5, iterations: 100_000)
    let size = Fixtures.organizationSize

    // MARK: Trigram index (the four folded fields of a contact: name, email, company, phone digits)

    // As CONTACT.ADD indexes a new contact: one document, above every slot, into 100,000.
    Benchmark("TrigramIndex insert <one contact> (into 100k)") { benchmark, fixture in
        let fields = fixture.nextFields()
        let slot = fixture.nextSlot()
        benchmark.startMeasurement()
        fixture.index.insert(slot, fields: fields)
    } setup: {
        IndexFixture(documents: size)
    }

    // As a snapshot load or an import indexes: insert(contentsOf:), 10,000 contacts into an empty index.
    Benchmark(
        "TrigramIndex bulk insert <10,000 contacts> (empty index)",
        configuration: Settings.configuration(.milliseconds, warmup: 2, seconds: 5, iterations: 200)
    ) { benchmark, documents in
        var index = TrigramIndex()
        index.insert(contentsOf: documents)
        blackHole(index)
    } setup: {
        Fixtures.generated(count: 10_000, seed: 43).enumerated().map { (doc: UInt32($0), fields: IndexFixture.fields(of: $1)) }
    }

    // Queries as CONTACT.SEARCH passes them (folded text on every field, or digits on the phone field), limit 50.
    let queries: [(label: String, fields: [String?])] = [
        ("smit", Array(repeating: "smit", count: 4)),
        ("ohn", Array(repeating: "ohn", count: 4)),
        ("garc", Array(repeating: "garc", count: 4)),
        ("jose (folded josé)", Array(repeating: TextFolding.fold("josé"), count: 4)),
        ("2530 (phone digits)", [nil, nil, nil, "2530"]),
    ]
    for query in queries {
        Benchmark(
            "TrigramIndex search \(query.label) limit 50 (100k)",
            configuration: Settings.configuration(.nanoseconds, warmup: 100, seconds: 5, iterations: 50_000)
        ) { benchmark, fixture in
            blackHole(fixture.index.search(fieldQueries: query.fields, limit: 50))
        } setup: {
            IndexFixture(documents: size)
        }
    }

    // MARK: Phone numbers (PhoneNumberNormalizer.parse: libphonenumber parse, validity, E.164)

    // The generator's numbers as written in an import (mostly US national forms; the others with
    // their +country code), parsed with the organization's default region US.
    Benchmark("PhoneNumbers parse <as written, mixed regions> (default US)") { benchmark, phones in
        let phone = phones[benchmark.currentIteration % phones.count]
        benchmark.startMeasurement()
        blackHole(try? PhoneNumberNormalizer().parse(phone, defaultRegion: "US"))
    } setup: {
        Fixtures.generated(count: 10_000, seed: 5).map(\.phone)
    }

    // Each region's numbers in their national format, as a person there types them, parsed with
    // that region as the default: `(650) 253-0000`, `07911 123456`, `030 1234567`, `06 12 34 56 78`, `098765 43210`.
    for region in ["US", "GB", "DE", "FR", "IN"] {
        Benchmark("PhoneNumbers parse <national format> (\(region))") { benchmark, phones in
            let phone = phones[benchmark.currentIteration % phones.count]
            benchmark.startMeasurement()
            blackHole(try? PhoneNumberNormalizer().parse(phone, defaultRegion: region))
        } setup: {
            try nationalNumbers(region: region, count: 2_000)
        }
    }
}

/// `count` numbers of `region` from the generator, written in the region's national format.
func nationalNumbers(region: String, count: Int) throws -> [String] {
    let normalizer = PhoneNumberNormalizer()
    var generator = ContactGenerator(seed: 9, duplicatePhoneRate: 0)
    var numbers: [String] = []
    var drawn = 0
    while numbers.count < count {
        let contact = generator.next()
        drawn += 1
        guard drawn < 2_000_000 else { throw FixtureError("the generator gave only \(numbers.count) numbers of \(region)") }
        guard contact.region == region else { continue }
        numbers.append(normalizer.format(try normalizer.parse(contact.e164, defaultRegion: region), style: .national))
    }
    return numbers
}

/// A trigram index of generated contacts, and more contacts to insert into it.
final class IndexFixture: @unchecked Sendable {
    var index = TrigramIndex()
    private let extra: [[String]]
    private var slot: UInt32
    private var position = 0

    init(documents: Int) {
        let generated = Fixtures.generated(count: documents + 50_000)
        index.insert(contentsOf: generated.prefix(documents).enumerated().map { (doc: UInt32($0), fields: Self.fields(of: $1)) })
        extra = generated.dropFirst(documents).map(Self.fields(of:))
        slot = UInt32(documents)
    }

    /// The fields of the next contact to insert (they repeat after 50,000; the slots do not).
    func nextFields() -> [String] {
        defer { position = (position + 1) % extra.count }
        return extra[position]
    }

    /// A slot above every slot in the index, as a new contact gets.
    func nextSlot() -> UInt32 {
        defer { slot += 1 }
        return slot
    }

    /// A contact's document as the store indexes it (ContactTextIndex): name, email, company folded, phone digits.
    static func fields(of contact: GeneratedContact) -> [String] {
        [
            TextFolding.fold(contact.name), contact.email.map(TextFolding.fold) ?? "",
            contact.company.map(TextFolding.fold) ?? "", TextFolding.digits(contact.e164),
        ]
    }
}
