import CallsheetCore
import CallsheetProtocol
@testable import CallsheetStore

/// Random commands over every kind of change the journal carries: contacts added, updated,
/// archived, restored, deleted for good, calls logged; fields, departments, users and settings.
/// Many fail (unknown ids, taken phones); failures must change nothing, which the tests check too.
/// ``check(_:_:)`` holds every reply to what the command may answer: a success, or one of the
/// refusals the workload provokes on purpose (an unknown id, a taken phone, a field another writer
/// created first), never anything else.
struct RandomWorkload {
    var random: SeededRandom
    /// Replies that were successes, and refusals, by command name.
    var succeeded: [String: Int] = [:]
    var refused: [String: Int] = [:]
    /// Contacts added so far (ids run 1…added, some later deleted).
    var added = 0
    var fields = 0
    var departments = 1
    var users = 0
    let tag: String

    init(seed: UInt64, tag: String = "w") {
        random = SeededRandom(seed: seed)
        self.tag = tag
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    /// An id that probably exists.
    mutating func someContact() -> String { String(int(1...max(added, 1))) }

    mutating func next() -> [String] {
        let roll = int(0...99)
        switch roll {
        case 0..<40:
            added += 1
            let n = int(0...5000)
            var members = [#""name":"\#(tag) person \#(n)""#, #""phone":"\#(testPhone(n))""#]
            if int(0...1) == 0 { members.append(#""email":"\#(tag)\#(n)@example.com""#) }
            if int(0...2) == 0 { members.append(#""tags":["vip","\#(tag)-t\#(n % 5)"]"#) }
            if fields > 0, int(0...2) == 0 { members.append(#""custom_fields":{"score\#(int(1...fields))":\#(n)}"#) }
            if int(0...4) == 0 { members.append(#""department_id":\#(int(1...departments))"#) }
            return ["CONTACT.ADD", "{" + members.joined(separator: ",") + "}"]
        case 40..<60:
            var members = [#""notes":"edit \#(int(0...1_000_000))""#]
            if int(0...2) == 0 { members.append(#""phone":"\#(testPhone(int(0...5000)))""#) }
            if int(0...2) == 0 { members.append(#""tags":["\#(tag)-t\#(int(0...9))"]"#) }
            if int(0...3) == 0 { members.append(#""email":null"#) }
            return ["CONTACT.UPDATE", someContact(), "{" + members.joined(separator: ",") + "}"]
        case 60..<68: return ["CONTACT.DELETE", someContact()]
        case 68..<72: return ["CONTACT.DELETE", someContact(), "PERMANENT"]
        case 72..<77: return ["CONTACT.RESTORE", someContact()]
        case 77..<87: return ["CONTACT.LOGCALL", someContact(), ["answered", "voicemail", "no_answer"][int(0...2)]]
        case 87..<90:
            fields += 1
            return ["FIELD.CREATE", #"{"name":"score\#(fields)","type":"integer"}"#]
        case 90..<93:
            departments += 1
            return ["DEPT.CREATE", "\(tag) department \(departments)"]
        case 93..<96:
            users += 1
            // Agents and managers belong to a department: without DEPT the command is refused.
            return ["USER.CREATE", "\(tag)-user\(users)", "ROLE", ["agent", "manager"][int(0...1)], "DEPT", String(int(1...departments))]
        case 96..<98: return ["ORG.SET", "max_import_rows", String(int(1...100_000))]
        default: return ["CONTACT.GET", someContact()]
        }
    }
}

extension RandomWorkload {
    /// The refusals each command of the workload may meet; anything else is a bug.
    static let expectedRefusals: [String: Set<String>] = [
        "CONTACT.ADD": ["DUPLICATE_PHONE"],
        "CONTACT.UPDATE": ["NOT_FOUND", "DUPLICATE_PHONE"],
        "CONTACT.DELETE": ["NOT_FOUND", "CONFLICT"],
        "CONTACT.RESTORE": ["NOT_FOUND", "CONFLICT"],
        "CONTACT.LOGCALL": ["NOT_FOUND"],
        "CONTACT.GET": ["NOT_FOUND"],
        // Writers of one organization share field names: the second to create one is refused.
        "FIELD.CREATE": ["CONFLICT"],
        "DEPT.CREATE": [],
        "USER.CREATE": [],
        "ORG.SET": [],
    ]

    /// Records the reply to `command` and returns a description of it if no reply like it was
    /// expected (an error the workload does not provoke, or a success that is not a reply).
    mutating func check(_ command: [String], _ reply: RESPValue) -> String? {
        let name = command.first ?? ""
        let allowed = Self.expectedRefusals[name] ?? []
        if case .error(let text) = reply {
            let code = String(text.prefix { $0 != " " })
            refused[name, default: 0] += 1
            return allowed.contains(code) ? nil : "\(command.joined(separator: " ").prefix(120)) → -\(text)"
        }
        succeeded[name, default: 0] += 1
        switch (name, reply) {
        case ("CONTACT.DELETE", .integer(1)), (_, .simpleString("OK")), (_, .bulkString): return nil
        default: return "\(command.joined(separator: " ").prefix(120)) → \(reply)"
        }
    }
}
