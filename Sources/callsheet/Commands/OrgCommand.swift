import ArgumentParser
import CallsheetStore

/// `callsheet org create NAME --region US --admin USER`: bootstrap without a server.
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Manage organizations of a data directory.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization and its first admin; prints the admin's secret once.")

        @Argument(help: "The organization's name.")
        var name: String

        @Option(help: "Default phone region (ISO 3166), used for numbers written without a country code.")
        var region: String = "US"

        @Option(help: "Login name of the first admin.")
        var admin: String

        @OptionGroup var data: DataOptions

        /// ORG.CREATE is not served over connections (no role may run it there), so the only way
        /// while a server holds the directory is to stop it.
        static func lockAdvice(_ directory: String) -> String {
            "ORG.CREATE cannot be done online: it is owner-only, and no role may run it over a connection (`callsheet repl --connect`). "
                + "Stop the server (SIGTERM: it finishes its requests, writes a final snapshot and exits), run `callsheet org create NAME --admin USER --data \(directory)` "
                + "(or `callsheet repl --data \(directory)` and ORG.CREATE) while it is stopped, then start the server again."
        }

        func run() async throws {
            let directory = try data.open(logger: makeLogger(), lockAdvice: Self.lockAdvice(data.data))
            do {
                let (id, secret) = try await directory.createOrganization(name: name, region: region, admin: admin)
                print("organization \(id) '\(name)' created (region \(region.uppercased()))")
                print("admin: \(admin)")
                print("secret: \(secret)")
                print("The secret is shown only now; it is stored hashed. Sign in with: AUTH \(admin) <secret>")
                await directory.close()
            } catch {
                await directory.close()
                throw CommandFailure("\(error.code.rawValue) \(error.message)")
            }
        }
    }
}
