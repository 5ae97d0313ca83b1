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
    /// Colour description of the decoded output.
    public var colour: ColourInfo
    /// Coding tools and their parameters, e.g. `"rvq_levels": .int(4)`.
    public var tools: [String: ToolValue]
    /// Every weight file the stream needs, named by its SHA-256.
    public var weights: [WeightRef]
    /// The substream names frames may use, in the order frames store their substreams.
    public var substreamNames: [String]

    public init(width: Int, height: Int, frameRate: FrameRate, frameCount: Int = 0, intraPeriod: Int = 0,
                colour: ColourInfo = ColourInfo(), tools: [String: ToolValue] = [:],
                weights: [WeightRef] = [], substreamNames: [String] = []) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.frameCount = frameCount
        self.intraPeriod = intraPeriod
        self.colour = colour
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

/// Colour description of the decoded output. Primaries, transfer and matrix are ITU-T H.273 code
/// points (1 = BT.709, 2 = unspecified; matrix 5/6 = BT.601); the container carries any value.
public struct ColourInfo: Equatable, Sendable {
    /// Bits per output sample, 8...16.
    public var bitDepth: Int
    public var chromaFormat: ChromaFormat
    /// H.273 `ChromaSampleLocType`, 0...5 (0 = left as in MPEG-2, 1 = centre as in JPEG, 2 = top-left).
    public var chromaLocation: UInt8
    public var primaries: UInt8
    public var transfer: UInt8
    public var matrix: UInt8
    /// Full range (0-255) rather than limited (16-235).
    public var fullRange: Bool

    /// Defaults: 8-bit 4:2:0, left chroma siting, BT.709 throughout, limited range.
    public init(bitDepth: Int = 8, chromaFormat: ChromaFormat = .yuv420, chromaLocation: UInt8 = 0,
                primaries: UInt8 = 1, transfer: UInt8 = 1, matrix: UInt8 = 1, fullRange: Bool = false) {
        self.bitDepth = bitDepth
        self.chromaFormat = chromaFormat
        self.chromaLocation = chromaLocation
        self.primaries = primaries
        self.transfer = transfer
        self.matrix = matrix
        self.fullRange = fullRange
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
