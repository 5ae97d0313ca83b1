/// Why encoding or decoding a stream failed, with the file and frame it concerns.
public struct CodecError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var frame: Int?
    public var reason: String

    public init(file: String, frame: Int? = nil, _ reason: String) {
        self.file = file
        self.frame = frame
        self.reason = reason
    }

    public var description: String {
        [file, frame.map { "frame \($0)" }, reason].compactMap { $0 }.joined(separator: ": ")
    }
}
