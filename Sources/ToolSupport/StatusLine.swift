import Foundation

/// A status line on stderr redrawn in place (when stderr is a terminal or `force` is set), with
/// permanent lines printed above it: for long jobs made of steps rather than frames.
public final class StatusLine {
    private let enabled: Bool
    private var shown = false

    public init(force: Bool) {
        enabled = force || isatty(STDERR_FILENO) != 0
    }

    /// Replaces the status text.
    public func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
        shown = true
    }

    /// Prints a line that stays, above the status line (which is cleared; show it again after).
    public func log(_ line: String) {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
        printError(line)
    }

    /// Clears the status line.
    public func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
