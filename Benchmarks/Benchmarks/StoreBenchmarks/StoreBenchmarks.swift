// The lookup and search path as the server runs it: arguments → CommandExecutor.execute → shard
// actor → JSON reply, from a task on the cooperative pool, one call per measured iteration, on an
// organization of 100,000 generated contacts; and the contact JSON rendering that every reply uses.
import Benchmark
import BenchmarkFixtures
import CallsheetCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = Settings.configuration(.nanoseconds, warmup: 1_000, seconds: 5, iterations: 100_000)
    let size = Fixtures.organizationSize

    // MARK: Lookups (what a dialer asks on every call: screen-pop)

    Benchmark("CONTACT.GET <random id> (100k contacts)") { benchmark, store in
        let id = String(1 + store.randomIndex())
        benchmark.startMeasurement()
        blackHole(await store.execute(["CONTACT.GET", id]))
    } setup: {
        try await StoreFixture(contacts: size)
    }

    Benchmark("CONTACT.BYPHONE <random E.164> (100k contacts)") { benchmark, store in
        let phone = store.generated[store.randomIndex()].e164
        benchmark.startMeasurement()
        blackHole(await store.execute(["CONTACT.BYPHONE", phone]))
    } setup: {
        try await StoreFixture(contacts: size)
    }

    // As written in an import or typed by an agent: `(650) 253-0000`, `+44 7911 123456`, … (libphonenumber parses it).
    Benchmark("CONTACT.BYPHONE <random, as written> (100k contacts)") { benchmark, store in
        let phone = store.generated[store.randomIndex()].phone
        benchmark.startMeasurement()
        blackHole(await store.execute(["CONTACT.BYPHONE", phone]))
    } setup: {
        try await StoreFixture(contacts: size)
    }

    // MARK: Search (CONTACT.SEARCH, first page of 50)

    let searches: [(label: String, arguments: [String])] = [
        ("smit (partial surname)", ["smit"]),
        ("josé (accents folded)", ["josé"]),
        ("ohn (inner substring)", ["ohn"]),
        ("garc (long posting lists)", ["garc"]),
        ("gmail (email)", ["gmail"]),
        ("2530 (phone digits)", ["2530"]),
        ("* TAGS ANY VIP (filter alone)", ["*", "TAGS", "ANY", "VIP"]),
        // Search as you type: the same page with two members a result instead of the whole contact.
        ("smit RETURN name,phone", ["smit", "RETURN", "name,phone"]),
    ]
    for search in searches {
        let arguments = ["CONTACT.SEARCH"] + search.arguments + ["LIMIT", "50"]
        Benchmark(
            "CONTACT.SEARCH \(search.label) LIMIT 50 (100k contacts)",
            configuration: Settings.configuration(.microseconds, warmup: 100, seconds: 5, iterations: 20_000)
        ) { benchmark, store in
            blackHole(await store.execute(arguments))
        } setup: {
            try await StoreFixture(contacts: size)
        }
    }

    // MARK: Rendering (the reply of every contact command: OrganizationState.contactJSON)

    for role in [Role.admin, .agent] {
        Benchmark("contactJSON <random contact> for \(role.rawValue)") { benchmark, fixture in
            let contact = fixture.randomContact()
            benchmark.startMeasurement()
            blackHole(fixture.state.contactJSON(contact, for: role))
        } setup: {
            StateFixture(contacts: 10_000)
        }
    }
}
