// Frame rate as an exact rational, the way containers and Y4M store it.

/// A frame rate `numerator / denominator` frames per second, e.g. 30000/1001.
public struct FrameRate: Equatable, Hashable, CustomStringConvertible, Sendable {
    public var numerator: Int
    public var denominator: Int

    /// A rate of `numerator/denominator` frames per second; both must be positive.
    public init(_ numerator: Int, _ denominator: Int = 1) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Frames per second as a Double (for display and timing only).
    public var framesPerSecond: Double { Double(numerator) / Double(denominator) }

    /// True when both terms are positive.
    public var isValid: Bool { numerator > 0 && denominator > 0 }

    public var description: String { "\(numerator)/\(denominator)" }
}
