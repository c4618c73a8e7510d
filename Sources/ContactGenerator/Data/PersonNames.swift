/// Given names and family names from many cultures, with their accents as people write them.
///
/// All strings are NFC. The lists are independent: any first name may meet any last name,
/// as in a real US calling list.
enum PersonNames {
    static let first: [String] = [
        // English
        "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
        "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
        "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
        "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
        "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Dorothy", "Kevin", "Carol", "Brian",
        "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
        "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia", "Jacob", "Kathleen",
        "Gary", "Amy", "Nicholas", "Shirley", "Eric", "Angela", "Jonathan", "Helen", "Stephen",
        "Anna", "Larry", "Brenda", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Samantha",
        "Benjamin", "Katherine", "Samuel", "Emma", "Gregory", "Ruth", "Frank", "Christine",
        "Alexander", "Catherine", "Raymond", "Debra", "Patrick", "Rachel", "Tyler", "Olivia",
        "Madison", "Ethan", "Chloe", "Noah", "Ava", "Logan", "Grace", "Dylan",
        // Spanish and Portuguese
        "José", "María", "Juan", "Ana", "Luis", "Carmen", "Jesús", "Lucía", "Andrés", "Sofía",
        "Alejandro", "Valentina", "Ramón", "Inés", "Álvaro", "Marisol", "Joaquín", "Begoña",
        "Sebastián", "Camila", "Rocío", "Íñigo", "Martín", "Verónica", "Héctor", "Mónica", "Óscar",
        "Ángela", "Raúl", "Núria", "João", "Conceição", "Gonçalo", "Leonor", "Tiago", "Beatriz",
        "Sebastião", "Fábio", "Maria José", "Juan Carlos",
        // French
        "François", "Amélie", "Hélène", "Jérôme", "Léa", "Chloé", "Benoît", "Cécile", "Noël",
        "Gaëlle", "Théo", "Élodie", "Anne-Marie", "Jean-Luc", "Jean-Pierre", "Marie-Claire", "Loïc",
        "Aurélie", "Stéphane", "Maëlle", "Françoise", "Raphaël",
        // German, Dutch, Scandinavian
        "Jürgen", "Zoë", "Günther", "Jörg", "Käthe", "Uwe", "Sönke", "Lena", "Lukas", "Felix",
        "Hannah", "Maximilian", "Katharina", "Dieter", "Ursula", "Matthias", "Birgit", "Torsten",
        "Anke", "Søren", "Åsa", "Ørjan", "Bjørn", "Ingrid", "Sigrid", "Håkan", "Linnéa", "Mikael",
        "Astrid", "Märta", "Nils", "Kristoffer", "Tove", "Sander", "Femke", "Joëlle",
        // Central and Eastern European, Greek, Turkish
        "Łukasz", "Małgorzata", "Paweł", "Agnieszka", "Krzysztof", "Zofia", "Wojciech", "Jiří",
        "Tomáš", "Zuzana", "Dmitri", "Natalia", "Sergei", "Olga", "Anastasia", "Dimitris", "Eleni",
        "Nikos", "Katerina", "Çağla", "Ömer", "Şebnem", "Gökhan", "Ayşe", "Mehmet", "Özge", "Emre",
        // Italian
        "Giuseppe", "Francesca", "Niccolò", "Chiara", "Lorenzo", "Giulia", "Matteo", "Alessandra",
        "Federica", "Gianluca",
        // Irish
        "Siobhán", "Seán", "Aoife", "Niamh", "Ciarán", "Eoin", "Saoirse", "Pádraig", "Róisín",
        "Caoimhe",
        // South Asian
        "Aarav", "Priya", "Rahul", "Ananya", "Vikram", "Deepika", "Arjun", "Kavya", "Sanjay",
        "Lakshmi", "Rohan", "Pooja", "Aditya", "Meera", "Suresh", "Divya", "Karthik", "Nisha",
        "Ravi", "Sneha", "Harpreet", "Gurpreet",
        // East and Southeast Asian
        "Wei", "Fang", "Li Na", "Jun", "Mei", "Hao", "Yan", "Xin", "Hiroshi", "Yuki", "Haruto",
        "Sakura", "Takeshi", "Aiko", "Kenji", "Yōko", "Shōta", "Min-jun", "Seo-yeon", "Ji-woo",
        "Hyun-woo", "Minh", "Hương", "Thảo", "Dũng", "Phương", "Bảo", "Huyền", "Tuấn", "Quốc Anh",
        // Arabic and African
        "Mohammed", "Fatima", "Ahmed", "Layla", "Omar", "Yasmin", "Khalid", "Nour", "Hassan",
        "Amira", "Chinedu", "Ngozi", "Kwame", "Ama", "Oluwaseun", "Folake", "Tendai", "Thabo",
        "Zanele", "Kofi",
    ]

    static let last: [String] = [
        // English, Scottish, Irish
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
        "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
        "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill",
        "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips",
        "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook",
        "Rogers", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ward",
        "Richardson", "Watson", "Brooks", "Wood", "Bennett", "Gray", "Hughes", "Price", "Sanders",
        "Myers", "Long", "Ross", "Foster", "Washington", "Butler", "Barnes", "Fisher", "Henderson",
        "O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "McCarthy", "MacDonald", "McKenzie",
        "Fitzgerald", "Gallagher", "Ó Súilleabháin", "Ní Bhriain", "D'Angelo", "Smith-Jones",
        // Spanish and Portuguese
        "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
        "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Muñoz", "Jiménez", "Álvarez",
        "Romero", "Gutiérrez", "Ortiz", "Peña", "Castillo", "Núñez", "Ibáñez", "Fernández",
        "García Márquez", "de la Cruz", "del Río", "Gonçalves", "Magalhães", "Simões", "Araújo",
        "Fernandes", "Sousa", "Conceição",
        // French
        "Dubois", "Lefèvre", "Girard", "Bérenger", "Fournier", "Mercier", "Lemaître", "Rousseau",
        "Moreau", "Lefebvre", "Desjardins", "Côté", "Bélanger", "Gagné", "Lévesque", "Thériault",
        // German, Dutch, Scandinavian
        "Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Meyer", "Wagner", "Becker", "Schäfer",
        "Köhler", "Krüger", "Groß", "Hoffmann", "Schröder", "Jäger", "Vogel", "Zimmermann", "Fuß",
        "Höfler", "von Bülow", "Schulze-Böhm", "van der Berg", "de Vries", "van Dijk", "Jansen",
        "Bakker", "Visser", "de Jong", "Øberg", "Åberg", "Sørensen", "Jørgensen", "Lindqvist",
        "Björklund", "Ødegård", "Håland", "Nyström", "Ekström", "Fältskog", "Løkke",
        // Central and Eastern European, Greek, Turkish
        "Wiśniewski", "Kowalski", "Łukaszewicz", "Wójcik", "Dvořák", "Novák", "Svoboda", "Šimek",
        "Krawczyk", "Zieliński", "Ivanov", "Smirnova", "Kuznetsov", "Popova", "Volkov",
        "Papadopoulos", "Georgiou", "Nikolaidis", "Yılmaz", "Öztürk", "Çelik", "Şahin", "Demir",
        "Aydın", "Doğan", "Kılıç",
        // Italian
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
        "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
        "Lombardi", "Moretti",
        // South Asian
        "Kumar", "Sharma", "Patel", "Singh", "Gupta", "Reddy", "Iyer", "Nair", "Rao", "Mehta",
        "Chatterjee", "Banerjee", "Desai", "Joshi", "Pillai", "Menon", "Verma", "Agarwal",
        "Krishnan", "Bhattacharya", "Khan", "Malhotra",
        // East and Southeast Asian
        "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
        "Ma", "Zhu", "Hu", "Guo", "Lin", "Chan", "Wong", "Leung", "Satō", "Suzuki", "Takahashi",
        "Tanaka", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi", "Katō", "Kim", "Park",
        "Choi", "Jung", "Kang", "Cho", "Yoon", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh",
        "Võ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương",
        // Arabic and African
        "Al-Farsi", "Haddad", "Khoury", "El-Amin", "Nasser", "Mansour", "Saleh", "Al-Hashimi",
        "Okafor", "Adeyemi", "Mensah", "Nwosu", "Mbeki", "Okonkwo", "Abubakar", "Diallo", "Traoré",
        "Ndiaye",
    ]
}
