import PhoneNumbers

/// What planning a command needs besides the state: the time and a phone normalizer.
public struct PlanningContext: Sendable {
    public var now: Timestamp
    public var phones: PhoneNumberNormalizer

    public init(now: Timestamp, phones: PhoneNumberNormalizer = PhoneNumberNormalizer()) {
        self.now = now
        self.phones = phones
    }
}
