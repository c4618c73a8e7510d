import PhoneNumbers
import Testing

/// Many tasks parsing at once must see exactly what one task sees.
@Suite struct ConcurrencyTests {
    static let inputs: [(String, String)] = [
        ("(650) 253-0000", "US"), ("+44 20 7946 0958", "US"), ("030 901820", "DE"),
        ("06 12 34 56 78", "FR"), ("098765 43210", "IN"), ("(555) 12", "US"),
        ("+999 123", "US"), ("abc", "US"), ("650 253 0000", "XX"), ("07700 900123", "GB"),
        ("011 44 20 7946 0958", "US"), ("00 49 30 901820", "DE"), ("650 253 0000 ext. 7", "US"),
        ("+41 21 234 56 785", "US"), ("(242) 357-1234", "US"), ("090-1234-5678", "JP"),
    ]

    /// What a parse produced, comparable across tasks.
    enum Outcome: Equatable, Sendable {
        case number(PhoneNumber)
        case error(PhoneNumberError)
    }

    static func outcome(_ normalizer: PhoneNumberNormalizer, _ input: (String, String)) -> Outcome {
        do {
            return .number(try normalizer.parse(input.0, defaultRegion: input.1))
        } catch {
            return .error(error)
        }
    }

    @Test("32 tasks × 500 parses agree with a sequential run")
    func manyTasks() async {
        let normalizer = PhoneNumberNormalizer()
        let expected = Self.inputs.map { Self.outcome(normalizer, $0) }
        #expect(expected.contains { if case .error = $0 { true } else { false } })
        #expect(expected.contains { if case .number = $0 { true } else { false } })

        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<32 {
                group.addTask {
                    var mismatches = 0
                    for step in 0..<500 {
                        let index = (task * 7 + step) % Self.inputs.count
                        if Self.outcome(normalizer, Self.inputs[index]) != expected[index] {
                            mismatches += 1
                        }
                        if step % 50 == 0, let example = normalizer.exampleNumber(region: "GB", type: .mobile) {
                            _ = normalizer.format(example, style: .national)
                        }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test("Fresh normalizers in each task share one library safely")
    func freshNormalizers() async {
        let results = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<16 {
                group.addTask { try? PhoneNumberNormalizer().parse("+49 30 901820", defaultRegion: "ZZ").e164 }
            }
            return await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: "+4930901820", count: 16))
    }
}
