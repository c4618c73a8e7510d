/// Sentences call notes are assembled from. Many carry commas or double quotes, and
/// notes of two or more sentences are sometimes split by a line break, so every CSV
/// quoting rule gets exercised.
enum NoteFragments {
    static let all: [String] = [
        "Left voicemail, will try again Tuesday.",
        "Asked for \"the usual\" discount.",
        "Prefers calls after 3pm, not before.",
        "Spoke to the assistant.",
        "Call back next week.",
        "Interested in the \"Pro\" plan, budget approved.",
        "Met at the trade show in Köln.",
        "Wants a quote by Friday.",
        "Don't call on weekends.",
        "Said: \"Send me an email first, please.\"",
        "Decision expected in Q3; follow up, then escalate.",
        "Number rings at the front desk.",
        "Renewal due in March, April at the latest.",
        "Très sympa, speaks French and English.",
        "Hung up after 10 seconds.",
        "Needs pricing for 25, 50 and 100 seats.",
        "Referred by José at the Austin office.",
        "Asked us to use the \"main line\" only.",
        "Out of office until the 15th.",
        "Happy with support, unhappy with billing.",
        "Gatekeeper is friendly; ask for Dana.",
        "Requested a callback in the morning.",
        "Wrong contact, forwarded to purchasing.",
        "Mentioned a competitor's offer, 20% lower.",
        "Café meeting booked for Thursday.",
        "Likes \"short, direct\" calls.",
        "Do not mention the old contract.",
        "Prefers WhatsApp over phone.",
    ]

    /// Share of contacts with no notes, per mille.
    static let emptyPerMille = 400
    /// Share of multi-sentence notes whose sentences are split by a line break, per mille.
    static let lineBreakPerMille = 300
}
