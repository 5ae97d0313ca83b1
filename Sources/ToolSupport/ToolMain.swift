import ArgumentParser
import Foundation

/// Parses the command line and runs the tool, turning any thrown error into one line on stderr
/// and the documented exit status.
///
/// Command-line mistakes keep swift-argument-parser's own message and status (64); errors thrown
/// while running print as `tool: file: frame N: reason`.
public func runTool<C: ParsableCommand>(_ command: C.Type) -> Never {
    var parsed: ParsableCommand
    do {
        parsed = try command.parseAsRoot()
    } catch {
        command.exit(withError: error)
    }
    let name = command.configuration.commandName ?? "dcvc"
    do {
        try parsed.run()
        exit(ExitStatus.success)
    } catch let e as ToolError {
        printError("\(name): \(e)")
        exit(e.exitCode)
    } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
        // --help, --version, validation: the parser's own message and status.
        command.exit(withError: error)
    } catch {
        printError("\(name): \(error)")
        exit(ExitStatus.failure)
    }
}
