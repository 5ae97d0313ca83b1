// The YUV4MPEG2 stream header: parsing and formatting.

/// The Y4M colourspaces this module reads and writes (the `C` tag), all 8-bit.
public enum Y4MChroma: String, Equatable, Hashable, Sendable, CaseIterable {
    /// 4:2:0, chroma centred between luma samples (JPEG/MPEG-1 siting).
    case c420jpeg = "420jpeg"
    /// 4:2:0, chroma co-sited horizontally with luma (MPEG-2 siting).
    case c420mpeg2 = "420mpeg2"
    /// 4:2:0, PAL-DV siting.
    case c420paldv = "420paldv"
    /// 4:2:0 without a stated siting; the default when a header has no `C` tag.
    case c420 = "420"
    /// 4:4:4.
    case c444 = "444"

    /// The pixel format of frames with this colourspace.
    public var pixelFormat: PixelFormat { self == .c444 ? .yuv444p : .yuv420p }
}

/// A parsed `YUV4MPEG2` header line.
public struct Y4MHeader: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var frameRate: FrameRate
    /// The `I` tag: `p` progressive, `t`/`b` top/bottom field first, `m` mixed, `?` unknown.
    /// Frames are handed out as whole pictures whatever this says.
    public var interlacing: Character
    /// The `A` tag (pixel aspect ratio); 0:0 means unknown.
    public var aspectNumerator: Int
    public var aspectDenominator: Int
    public var chroma: Y4MChroma
    /// From FFmpeg's `XCOLORRANGE=FULL|LIMITED` extension tag; `.unspecified` when absent.
    public var colorRange: ColorRange

    public init(width: Int, height: Int, frameRate: FrameRate, chroma: Y4MChroma = .c420jpeg,
                interlacing: Character = "p", aspectNumerator: Int = 1, aspectDenominator: Int = 1,
                colorRange: ColorRange = .unspecified) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.interlacing = interlacing
        self.aspectNumerator = aspectNumerator
        self.aspectDenominator = aspectDenominator
        self.chroma = chroma
        self.colorRange = colorRange
    }

    /// A header matching `frame`'s size, format, rate and range (4:2:0 is written as `C420jpeg`).
    public init(for frame: VideoFrame) {
        self.init(width: frame.width, height: frame.height, frameRate: frame.frameRate,
                  chroma: frame.format == .yuv444p ? .c444 : .c420jpeg, colorRange: frame.color.range)
    }

    /// The pixel format of this stream's frames.
    public var pixelFormat: PixelFormat { chroma.pixelFormat }

    /// Bytes of picture data in one frame (without the `FRAME` line).
    public var frameBytes: Int { pixelFormat.frameBytes(width: width, height: height) }

    /// The header line, including the terminating newline.
    public var line: String {
        var s = "YUV4MPEG2 W\(width) H\(height) F\(frameRate.numerator):\(frameRate.denominator)"
        s += " I\(interlacing) A\(aspectNumerator):\(aspectDenominator) C\(chroma.rawValue)"
        switch colorRange {
        case .full: s += " XCOLORRANGE=FULL"
        case .limited: s += " XCOLORRANGE=LIMITED"
        case .unspecified: break
        }
        return s + "\n"
    }

    /// Parses a header line (without its newline). `path` only names the file in errors.
    ///
    /// Strict: the line must start with `YUV4MPEG2`; W, H and F are required; W and H must be in
    /// 1...`maxFrameDimension`; F and A are `n:d`; C must be one of `Y4MChroma`; a tag may appear
    /// once; tags other than W H F I A C X are errors; X tags other than XCOLORRANGE are ignored.
    public static func parse(_ line: String, path: String) throws -> Y4MHeader {
        func bad(_ reason: String) -> MediaError { .badY4MHeader(path: path, reason: reason) }
        var tokens = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let magic = tokens.first, magic == "YUV4MPEG2" else {
            throw bad("does not start with 'YUV4MPEG2'")
        }
        tokens.removeFirst()
        var width: Int?, height: Int?, rate: FrameRate?
        var interlacing: Character = "?"
        var aspect = (0, 0)
        var chroma = Y4MChroma.c420
        var range = ColorRange.unspecified
        var seen = Set<Character>()
        for token in tokens {
            let tag = token.first!
            let value = String(token.dropFirst())
            if tag != "X" {
                guard seen.insert(tag).inserted else { throw bad("tag '\(tag)' appears twice") }
            }
            switch tag {
            case "W": width = try parseDimension(value, name: "W", path: path)
            case "H": height = try parseDimension(value, name: "H", path: path)
            case "F":
                guard let (n, d) = parseRatio(value), n > 0, d > 0 else { throw bad("frame rate 'F\(value)' is not n:d with n, d > 0") }
                rate = FrameRate(n, d)
            case "I":
                guard value.count == 1, let c = value.first, "ptbm?".contains(c) else { throw bad("interlacing 'I\(value)' is not one of p t b m ?") }
                interlacing = c
            case "A":
                guard let r = parseRatio(value) else { throw bad("aspect 'A\(value)' is not n:d") }
                aspect = r
            case "C":
                guard let c = Y4MChroma(rawValue: value) else {
                    throw MediaError.unsupported(path: path, reason: "Y4M colourspace 'C\(value)' (supported: 420jpeg, 420mpeg2, 420paldv, 420, 444, all 8-bit)")
                }
                chroma = c
            case "X":
                if value == "COLORRANGE=FULL" { range = .full } else if value == "COLORRANGE=LIMITED" { range = .limited }
            default:
                throw bad("unknown tag '\(token)'")
            }
        }
        guard let w = width, let h = height else { throw bad("missing W or H tag") }
        guard (1...maxFrameDimension).contains(w), (1...maxFrameDimension).contains(h) else {
            throw MediaError.badDimensions(path: path, width: w, height: h)
        }
        guard let f = rate else { throw bad("missing F (frame rate) tag") }
        return Y4MHeader(width: w, height: h, frameRate: f, chroma: chroma, interlacing: interlacing,
                         aspectNumerator: aspect.0, aspectDenominator: aspect.1, colorRange: range)
    }

    /// A decimal dimension; at most 9 digits are parsed so it cannot overflow.
    private static func parseDimension(_ s: String, name: String, path: String) throws -> Int {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(s) else {
            throw MediaError.badY4MHeader(path: path, reason: "\(name) value '\(s)' is not a decimal number")
        }
        return v
    }

    /// "n:d" with non-negative decimal terms of at most 9 digits.
    private static func parseRatio(_ s: String) -> (Int, Int)? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        var out: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 9, p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(p) else { return nil }
            out.append(v)
        }
        return (out[0], out[1])
    }
}
