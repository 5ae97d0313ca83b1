/// An error a command-line tool reports as one line on stderr: the file, where in it, and why.
public struct ToolError: Error, CustomStringConvertible, Sendable {
    /// The file the error is about (input or output), if any.
    public var file: String?
    /// The frame index the error is about, if any.
    public var frame: Int?
    /// What went wrong, in words a user can act on.
    public var reason: String
    /// The process exit status this error maps to.
    public var exitCode: Int32

    public init(file: String? = nil, frame: Int? = nil, _ reason: String, exitCode: Int32 = ExitStatus.failure) {
        self.file = file
        self.frame = frame
        self.reason = reason
        self.exitCode = exitCode
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let frame { parts.append("frame \(frame)") }
        parts.append(reason)
        return parts.joined(separator: ": ")
    }
}

/// Exit statuses shared by every `dcvc-*` tool (listed in each tool's `--help`).
public enum ExitStatus {
    /// Success.
    public static let success: Int32 = 0
    /// The input could not be read, decoded or validated, or processing failed.
    public static let failure: Int32 = 1
    /// The output could not be written (exists without `-y`, no permission, disk full).
    public static let outputError: Int32 = 3
    /// Bad command line (swift-argument-parser's usage status).
    public static let usage: Int32 = 64

    /// The text for a tool's `--help` discussion.
    public static let helpText = """
        Exit status: 0 success; 1 bad or unreadable input, or processing failed; \
        3 the output could not be written (exists without -y, permission, disk full); 64 bad command line.
        """
}
