// The one colour description of the codec: of a source frame, of a stream's sequence header and
// of the decoded output (Media re-exports these types).

/// The YCbCr matrix of a stream (ITU-T H.273 `MatrixCoefficients`).
public enum ColorMatrix: String, Equatable, Hashable, Sendable, CaseIterable {
    /// BT.601 (H.273 codes 5 and 6: BT.470BG, SMPTE 170M). Kr = 0.299, Kb = 0.114.
    case bt601
    /// BT.709 (code 1). Kr = 0.2126, Kb = 0.0722.
    case bt709
    /// BT.2020 non-constant luminance (code 9). Kr = 0.2627, Kb = 0.0593.
    case bt2020ncl
    /// US FCC 73.682 (code 4). Kr = 0.30, Kb = 0.11.
    case fcc
    /// SMPTE 240M (code 7). Kr = 0.212, Kb = 0.087.
    case smpte240m
    /// The stream does not say; see `ColorInfo.resolved(width:height:)` (in Media).
    case unspecified

    /// (Kr, Kb) as exact integers in units of 1/10000, or nil for `.unspecified`.
    /// Every coefficient of the conversions is derived from these two numbers.
    public var krKb10000: (kr: Int, kb: Int)? {
        switch self {
        case .bt601: return (2990, 1140)
        case .bt709: return (2126, 722)
        case .bt2020ncl: return (2627, 593)
        case .fcc: return (3000, 1100)
        case .smpte240m: return (2120, 870)
        case .unspecified: return nil
        }
    }

    /// The H.273 `MatrixCoefficients` code point (BT.601 is written as 6, SMPTE 170M).
    public var h273Code: Int {
        switch self {
        case .bt709: return 1
        case .unspecified: return 2
        case .fcc: return 4
        case .bt601: return 6
        case .smpte240m: return 7
        case .bt2020ncl: return 9
        }
    }

    /// The matrix for an H.273 code point, or nil when this module does not handle it
    /// (RGB/identity, YCgCo, constant-luminance and ICtCp matrices). Code 5 and 6 are both BT.601.
    public init?(h273Code code: Int) {
        switch code {
        case 1: self = .bt709
        case 2: self = .unspecified
        case 4: self = .fcc
        case 5, 6: self = .bt601
        case 7: self = .smpte240m
        case 9: self = .bt2020ncl
        default: return nil
        }
    }
}

/// Whether 8-bit samples use the studio swing (Y 16-235, C 16-240) or the full 0-255.
public enum ColorRange: String, Equatable, Hashable, Sendable {
    /// "TV"/"MPEG" range: Y in 16...235, Cb/Cr in 16...240.
    case limited
    /// "PC"/"JPEG" range: all of 0...255 (FFmpeg's `yuvj*` formats).
    case full
    /// The stream does not say; see `ColorInfo.resolved(width:height:)`.
    case unspecified
}

/// Colour metadata of a frame or a stream: matrix, range, primaries, transfer and 4:2:0 chroma
/// siting (spec/colour.md §1; in a `.dcv` sequence header, spec/container.md §4 fields 9-13).
public struct ColorInfo: Equatable, Hashable, Sendable {
    public var matrix: ColorMatrix
    public var range: ColorRange
    /// H.273 `ColourPrimaries` code point (1 = BT.709, 2 = unspecified, 5/6 = BT.601 625/525, 9 = BT.2020).
    /// Carried through untouched; the conversions here do not change primaries.
    public var primaries: Int
    /// H.273 `TransferCharacteristics` code point (1 = BT.709, 2 = unspecified, 13 = sRGB, 16 = PQ, 18 = HLG).
    /// Carried through untouched; the conversions work on the coded (non-linear) values.
    public var transfer: Int
    /// H.273 `ChromaSampleLocType` of 4:2:0 chroma, 0...5 (0 = left as in MPEG-2, 1 = centre as
    /// in JPEG, 2 = top-left).
    public var chromaLocation: Int

    public init(matrix: ColorMatrix = .unspecified, range: ColorRange = .unspecified,
                primaries: Int = 2, transfer: Int = 2, chromaLocation: Int = 0) {
        self.matrix = matrix
        self.range = range
        self.primaries = primaries
        self.transfer = transfer
        self.chromaLocation = chromaLocation
    }

    /// Nothing known.
    public static let unspecified = ColorInfo()
    /// BT.709 matrix, primaries and transfer, limited range: what the decoder writes by default.
    public static let bt709Limited = ColorInfo(matrix: .bt709, range: .limited, primaries: 1, transfer: 1)
}
