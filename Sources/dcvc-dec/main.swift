import ArgumentParser
import ToolSupport

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dcvc-dec")
    func run() throws { throw ValidationError("dcvc-dec is being built; see README.md") }
}
Main.main()
