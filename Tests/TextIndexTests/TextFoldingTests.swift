import Testing
import TextIndex

@Suite("TextFolding")
struct TextFoldingTests {
    @Test(
        "folds case, accents and letters without a decomposition",
        arguments: [
            ("José", "jose"),
            ("Zoë", "zoe"),
            ("Müller", "muller"),
            ("MÜLLER", "muller"),
            ("Øberg", "oberg"),
            ("Straße", "strasse"),
            ("STRAẞE", "strasse"),
            ("Łódź", "lodz"),
            ("Ærø", "aero"),
            ("İstanbul", "istanbul"),
            ("ıspanak", "ispanak"),
            ("Œuvre", "oeuvre"),
            ("Þór Ðrífa", "thor drifa"),
            ("Đorđević", "dordevic"),
            ("François Hénault-Côté", "francois henault-cote"),
            ("Ñandú", "nandu"),
            ("ÅSA Ångström", "asa angstrom"),
            ("Dvořák", "dvorak"),
            ("McDonald", "mcdonald"),
            ("O’Brien", "obrien"),
            ("ﬁnance", "finance"),
            ("ＡＢＣ１２３", "abc123"),
            ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"),
            ("Ἀθῆναι", "αθηναι"),
            ("Йошкар-Ола", "иошкар-ола"),
        ])
    func table(input: String, folded: String) {
        #expect(TextFolding.fold(input) == folded)
    }

    @Test("combining sequences fold like precomposed letters")
    func combining() {
        let decomposed = "Jose\u{0301} Mu\u{0308}ller"
        #expect(TextFolding.fold(decomposed) == "jose muller")
        #expect(TextFolding.fold("e\u{0301}\u{0323}") == "e")
        #expect(TextFolding.fold("Å") == TextFolding.fold("A\u{030A}"))
    }

    @Test("white space collapses to single spaces and is trimmed")
    func whiteSpace() {
        #expect(TextFolding.fold("  Ann \t\n  SMITH  ") == "ann smith")
        #expect(TextFolding.fold("\u{00A0}Zoë\u{2003}\u{3000}Ng\u{00A0}") == "zoe ng")
        #expect(TextFolding.fold("a\u{0000}b\u{0007}c") == "a b c")
        #expect(TextFolding.fold("   ") == "")
        #expect(TextFolding.fold("") == "")
        #expect(TextFolding.fold("soft\u{00AD}hyphen\u{200B}") == "softhyphen")
    }

    @Test("already folded ASCII comes back unchanged")
    func asciiFastPath() {
        for text in ["ann smith", "a.b@example.com", "16502530000", "x", "tech & co (uk) ltd."] {
            #expect(TextFolding.fold(text) == text)
        }
        #expect(TextFolding.fold("Ann.Smith@Example.COM") == "ann.smith@example.com")
    }

    @Test("emoji and other scripts pass through")
    func passThrough() {
        #expect(TextFolding.fold("Ann 😀") == "ann 😀")
        #expect(TextFolding.fold("❤️ Team") == "❤️ team")
        #expect(TextFolding.fold("👩‍👩‍👧") == "👩‍👩‍👧")
        #expect(TextFolding.fold("東京 Tower") == "東京 tower")
        #expect(TextFolding.fold("नमस्ते") == "नमस्ते")
    }

    @Test("folding is idempotent")
    func idempotent() {
        for text in ["José  Müller", "ÆRØ", "İstanbul", "O’Brien", "👩‍👩‍👧 x", "Ἀθῆναι", "ＡＢＣ"] {
            let once = TextFolding.fold(text)
            #expect(TextFolding.fold(once) == once)
        }
    }

    @Test("digits keeps ASCII digits only")
    func digits() {
        #expect(TextFolding.digits("+1 (650) 253-0000") == "16502530000")
        #expect(TextFolding.digits("253-0000") == "2530000")
        #expect(TextFolding.digits("no digits") == "")
        #expect(TextFolding.digits("١٢٣ 45") == "45")
    }
}
