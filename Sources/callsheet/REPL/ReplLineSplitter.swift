import CallsheetProtocol

/// Splits a typed REPL line into arguments: redis inline rules (see ``InlineSplitter``), plus one
/// convenience for people typing JSON: an unquoted argument that starts with `{` or `[` runs to
/// its matching bracket, quotes and spaces included, so `CONTACT.ADD {"name": "Ann"}` needs no
/// extra quoting. What reaches the server is the same argument list a client would send.
enum ReplLineSplitter {
    static func split(_ line: String) throws(ProtocolError) -> [String] {
        let characters = Array(line)
        var arguments: [String] = []
        var plainStart = 0
        var index = 0
        var quote: Character?
        var escaped = false
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" && open == "\"" { escaped = true } else if character == open { quote = nil }
                index += 1
                continue
            }
            let atTokenStart = index == 0 || characters[index - 1].isWhitespace
            if character == "\"" || character == "'" {
                quote = character
            } else if atTokenStart, character == "{" || character == "[" {
                guard let end = matchingBracket(characters, from: index) else {
                    throw ProtocolError.unclosedBracket(character, column: index + 1)
                }
                arguments += try InlineSplitter.split(String(characters[plainStart..<index]))
                arguments.append(String(characters[index...end]))
                index = end + 1
                plainStart = index
                continue
            }
            index += 1
        }
        arguments += try InlineSplitter.split(String(characters[plainStart...]))
        return arguments
    }

    /// The index of the bracket closing the one at `start`, skipping JSON strings; nil if unclosed.
    private static func matchingBracket(_ characters: [Character], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < characters.count {
            let character = characters[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }
}
