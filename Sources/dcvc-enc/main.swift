import ArgumentParser
import ToolSupport

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dcvc-enc")
    func run() throws { throw ValidationError("dcvc-enc is being built; see README.md") }
}
Main.main()
