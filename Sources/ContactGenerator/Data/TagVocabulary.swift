/// The tags contacts carry: 52 spellings a calling team would use.
enum TagVocabulary {
    static let all: [String] = [
        "VIP", "DNC", "Q4-2025-Survey", "Q1-2026-Campaign", "Enterprise", "SMB", "Mid-Market",
        "Prospect", "Lead", "Customer", "Active", "Inactive", "Churned", "Renewal-Due", "Hot",
        "Warm", "Cold", "Follow-Up", "Callback", "Voicemail", "No-Answer", "Wrong-Number",
        "Do-Not-Email", "Spanish-Speaking", "Decision-Maker", "Gatekeeper", "Referral", "Partner",
        "Reseller", "Trial", "Demo-Scheduled", "Webinar-2025", "Trade-Show", "Newsletter",
        "Billing-Issue", "Support", "Escalated", "Priority", "Key-Account", "Upsell", "Cross-Sell",
        "Healthcare", "Finance", "Retail", "Education", "Government", "Nonprofit", "West-Coast",
        "East-Coast", "EMEA", "APAC", "LATAM",
    ]

    /// How many tags a contact has, 0 through 4, in per mille.
    static let countWeights: [Int] = [250, 300, 250, 120, 80]
}
