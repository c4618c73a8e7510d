/// Common English given-name nicknames, each mapped to the name it shortens, so that `Bob Smith`
/// and `Robert Smith` compare as one name. Folded (lower case, ASCII). A nickname shared by two
/// names (`Alex`: Alexander, Alexandra) maps to one of them; both sides map the same way, so the
/// comparison stays symmetric.
enum Nicknames {
    static let groups: [(String, [String])] = [
        ("robert", ["bob", "bobby", "rob", "robbie", "bert"]),
        ("william", ["bill", "billy", "will", "willy", "liam"]),
        ("katherine", ["kate", "katie", "kathy", "kat", "catherine", "kathryn", "cathy", "kay"]),
        ("elizabeth", ["liz", "lizzie", "beth", "betty", "eliza", "betsy", "libby"]),
        ("margaret", ["maggie", "meg", "peggy", "marge", "margie"]),
        ("richard", ["rick", "ricky", "dick", "rich", "richie"]),
        ("james", ["jim", "jimmy", "jamie"]),
        ("john", ["jack", "johnny"]),
        ("jonathan", ["jonny"]),
        ("michael", ["mike", "mikey", "mick", "mickey"]),
        ("thomas", ["tom", "tommy"]),
        ("joseph", ["joe", "joey"]),
        ("charles", ["charlie", "chuck", "chas"]),
        ("christopher", ["chris", "kit"]),
        ("daniel", ["dan", "danny"]),
        ("matthew", ["matt"]),
        ("anthony", ["tony"]),
        ("edward", ["ed", "eddie", "ted", "ned"]),
        ("steven", ["steve", "stephen"]),
        ("andrew", ["andy", "drew"]),
        ("nicholas", ["nick", "nicky"]),
        ("benjamin", ["ben", "benny"]),
        ("samuel", ["sam", "sammy"]),
        ("alexander", ["alex", "sasha", "xander"]),
        ("alexandra", ["sandra", "lexi"]),
        ("patrick", ["pat", "paddy"]),
        ("patricia", ["patty", "trish", "tricia"]),
        ("jennifer", ["jen", "jenny"]),
        ("jessica", ["jess", "jessie"]),
        ("rebecca", ["becky", "becca"]),
        ("susan", ["sue", "susie", "suzanne"]),
        ("deborah", ["deb", "debbie", "debra"]),
        ("victoria", ["vicky", "tori"]),
        ("christine", ["chrissy", "christina", "tina"]),
        ("timothy", ["tim", "timmy"]),
        ("gregory", ["greg"]),
        ("kenneth", ["ken", "kenny"]),
        ("ronald", ["ron", "ronnie"]),
        ("donald", ["don", "donnie"]),
        ("gerald", ["gerry", "jerry"]),
        ("lawrence", ["larry"]),
        ("leonard", ["leo", "len", "lenny"]),
        ("frederick", ["fred", "freddie"]),
        ("francis", ["frank", "frankie"]),
        ("henry", ["hank", "harry"]),
        ("peter", ["pete"]),
        ("raymond", ["ray"]),
        ("douglas", ["doug"]),
        ("philip", ["phil"]),
        ("vincent", ["vince", "vinny"]),
        ("zachary", ["zach", "zack"]),
        ("abigail", ["abby", "gail"]),
        ("barbara", ["barb", "babs"]),
        ("dorothy", ["dot", "dottie"]),
        ("eleanor", ["ellie", "nora"]),
        ("josephine", ["jo", "josie"]),
        ("judith", ["judy"]),
        ("kimberly", ["kim"]),
        ("pamela", ["pam"]),
        ("samantha", ["sammie"]),
        ("theresa", ["terry", "tess", "teresa"]),
        ("valerie", ["val"]),
        ("jacqueline", ["jackie"]),
        ("cynthia", ["cindy"]),
        ("frances", ["fran"]),
        ("isabella", ["bella", "izzy", "isabel"]),
        ("mohammed", ["muhammad", "mohamed", "mohammad"]),
        ("jose", ["pepe"]),
        ("francisco", ["paco", "pancho"]),
        ("guillermo", ["memo"]),
        ("aleksandr", ["sasha"]),
    ]

    /// Nickname (and variant spelling) → the name it stands for.
    static let canonical: [String: String] = {
        var map: [String: String] = [:]
        for (name, nicknames) in groups {
            for nickname in nicknames where map[nickname] == nil { map[nickname] = name }
        }
        return map
    }()
}
