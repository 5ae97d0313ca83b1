/// The stream-wide parameters a `.dcv` file starts with (spec/container.md §4).
public struct SequenceHeader: Equatable, Sendable {
    /// Luma width and height in samples, 1...8192 each.
    public var width: Int
    public var height: Int
    /// Frames per second as a rational, e.g. 30000/1001.
    public var frameRate: FrameRate
    /// Number of frames, or 0 when the writer did not know it (the end marker always has it).
    public var frameCount: Int
    /// Distance between intra frames; 0 = only the first frame is intra. Informational.
    public var intraPeriod: Int
    /// Bits per output sample, 8...16.
    public var bitDepth: Int
    public var chromaFormat: ChromaFormat
    /// Colour description of the decoded output; `range` is never `.unspecified` in a stream.
    public var color: ColorInfo
    /// Coding tools and their parameters, e.g. `"rvq_levels": .int(4)`.
    public var tools: [String: ToolValue]
    /// Every weight file the stream needs, named by its SHA-256.
    public var weights: [WeightRef]
    /// The substream names frames may use, in the order frames store their substreams.
    public var substreamNames: [String]

    /// Defaults: 8-bit 4:2:0, BT.709 throughout, limited range, left chroma siting.
    public init(width: Int, height: Int, frameRate: FrameRate, frameCount: Int = 0, intraPeriod: Int = 0,
                bitDepth: Int = 8, chromaFormat: ChromaFormat = .yuv420, color: ColorInfo = .bt709Limited,
                tools: [String: ToolValue] = [:],
                weights: [WeightRef] = [], substreamNames: [String] = []) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.frameCount = frameCount
        self.intraPeriod = intraPeriod
        self.bitDepth = bitDepth
        self.chromaFormat = chromaFormat
        self.color = color
        self.tools = tools
        self.weights = weights
        self.substreamNames = substreamNames
    }
}

/// A frame rate `numerator / denominator` frames per second, e.g. 30000/1001; in a header both
/// terms are 1...2^31-1. The one frame-rate type of the codec (Media re-exports it).
public struct FrameRate: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int = 1) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Frames per second as a double, for display.
    public var framesPerSecond: Double { Double(numerator) / Double(denominator) }
    /// True when both terms are positive.
    public var isValid: Bool { numerator > 0 && denominator > 0 }
    public var description: String { "\(numerator)/\(denominator)" }
}

/// Sampling of the chroma planes (the codes of H.264's `chroma_format_idc`).
public enum ChromaFormat: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case monochrome = 0, yuv420 = 1, yuv422 = 2, yuv444 = 3

    public var description: String {
        switch self {
        case .monochrome: return "4:0:0"
        case .yuv420: return "4:2:0"
        case .yuv422: return "4:2:2"
        case .yuv444: return "4:4:4"
        }
    }
}

/// The value of a coding tool: a signed integer or a short printable-ASCII string.
public enum ToolValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .string(let s): return "\"\(s)\""
        }
    }
}

/// A weight file the stream needs: its name (a hint for finding it) and its SHA-256 (its identity).
public struct WeightRef: Equatable, Sendable {
    public var name: String
    /// 32 bytes.
    public var sha256: [UInt8]

    public init(name: String, sha256: [UInt8]) {
        self.name = name
        self.sha256 = sha256
    }
}
