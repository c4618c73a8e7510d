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

        /// ORG.CREATE is owner-only: no network login may run it, but the server's control socket can.
        static func lockAdvice(_ directory: String, socket: String) -> String {
            "ORG.CREATE is owner-only: no login over TCP may run it, but the server's owner can, through its control socket: "
                + "`callsheet repl --connect \(socket)`, then `ORG.CREATE NAME ADMIN USER` (it prints the admin's secret once). "
                + "Or stop the server (SIGTERM: it finishes its requests, writes a final snapshot and exits), run `callsheet org create NAME --admin USER --data \(directory)` while it is stopped, then start it again."
        }

        func run() async throws {
            let directory = try data.open(logger: makeLogger(), lockAdvice: Self.lockAdvice(data.data, socket: data.configuration.controlSocketPath))
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
