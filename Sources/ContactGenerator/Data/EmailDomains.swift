/// Free-mail providers people use, by the region of their phone number.
enum EmailDomains {
    static let byRegion: [String: [String]] = [
        "US": [
            "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
            "icloud.com", "aol.com", "proton.me", "comcast.net",
        ],
        "GB": ["gmail.com", "btinternet.com", "outlook.com", "yahoo.co.uk", "hotmail.co.uk"],
        "DE": ["gmx.de", "web.de", "t-online.de", "gmail.com"],
        "FR": ["orange.fr", "free.fr", "gmail.com", "laposte.net"],
        "IN": ["gmail.com", "gmail.com", "rediffmail.com", "yahoo.co.in", "outlook.com"],
    ]

    static let fallback: [String] = ["gmail.com"]
}
