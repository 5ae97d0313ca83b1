import ArgumentParser
import ToolSupport

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dcvc-info")
    func run() throws { throw ValidationError("dcvc-info is being built; see README.md") }
}
Main.main()
