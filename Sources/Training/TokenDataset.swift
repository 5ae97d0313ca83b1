import Foundation
import Models
import Tensor

/// RVQ indices of one training image: `levels` planes of `height x width` positions, raster order.
public struct TokenGrid: Equatable, Sendable {
    public var width: Int, height: Int
    /// `planes[l][y * width + x]`.
    public var planes: [[Int32]]
    /// The previous frame's planes, same layout (video frames after the first, for temporal priors).
    public var previous: [[Int32]]?

    public init(width: Int, height: Int, planes: [[Int32]], previous: [[Int32]]? = nil) {
        precondition(planes.allSatisfy { $0.count == width * height }, "token plane size")
        precondition(previous.map { $0.count == planes.count && $0.allSatisfy { $0.count == width * height } } ?? true,
                     "previous token plane size")
        self.width = width; self.height = height; self.planes = planes; self.previous = previous
    }
}

/// The training set of the index priors: every frame of a `FramePool` run through a trained
/// tokenizer's encoder (all levels), cropped to a multiple of the downsampling factor.
///
/// Tokenizing takes a minute or two, so the result is cached in a small binary file keyed by the
/// tokenizer weights' SHA-256 (`save` / `load`).
public struct TokenDataset: Equatable, Sendable {
    public var grids: [TokenGrid]
    public var levels: Int
    public var codebookSize: Int

    public init(grids: [TokenGrid], levels: Int, codebookSize: Int) {
        self.grids = grids; self.levels = levels; self.codebookSize = codebookSize
    }

    /// Tokenizes every frame of `pool` (top-left crop to a multiple of f, at most `maxSide`
    /// pixels a side so one image's activations stay small), and with `previous` (one entry per
    /// pool frame: the frame before it in its video, or nil) that frame too, cropped alike, as the
    /// grid's `previous`. `progress` gets a line every 50 frames.
    public static func build(pool: FramePool, previous: [FrameImage?]? = nil, tokenizer: VQTokenizer, maxSide: Int = 640,
                             progress: (String) -> Void = { _ in }) -> TokenDataset {
        precondition(previous.map { $0.count == pool.frames.count } ?? true)
        let f = tokenizer.config.factor
        func tokens(_ frame: FrameImage, w: Int, h: Int) -> [[Int32]] {
            var x = [Float](repeating: 0, count: 3 * w * h)
            for c in 0..<3 {
                for y in 0..<h {
                    let src = c * frame.width * frame.height + y * frame.width, dst = (c * h + y) * w
                    for xx in 0..<w { x[dst + xx] = Float(frame.rgb[src + xx]) * (1 / 255) }
                }
            }
            return tokenizer.encode(Tensor(shape: [1, 3, h, w], storage: x)).map { $0.map(Int32.init) }
        }
        var grids: [TokenGrid] = []
        for (i, frame) in pool.frames.enumerated() {
            let w = min(frame.width, maxSide) / f * f, h = min(frame.height, maxSide) / f * f
            guard w >= f, h >= f else { continue }
            let before = previous?[i].flatMap { $0.width == frame.width && $0.height == frame.height ? $0 : nil }
            grids.append(TokenGrid(width: w / f, height: h / f, planes: tokens(frame, w: w, h: h),
                                   previous: before.map { tokens($0, w: w, h: h) }))
            if (i + 1) % 50 == 0 { progress("tokenized \(i + 1)/\(pool.frames.count) frames") }
        }
        return TokenDataset(grids: grids, levels: tokenizer.config.levels, codebookSize: tokenizer.config.codebookSize)
    }

    /// Total positions per level.
    public var positions: Int { grids.reduce(0) { $0 + $1.width * $1.height } }

    // File: "DCVCTOK2", key length + key bytes, levels, K, grid count, then per grid w, h,
    // levels·w·h little-endian UInt16 indices, 0 or 1 (a previous frame follows) and then its
    // levels·w·h indices. "DCVCTOK1" files (no previous-frame field) are still read.
    private static let magic = Array("DCVCTOK2".utf8)
    private static let magicWithoutPrevious = Array("DCVCTOK1".utf8)

    /// Writes the dataset with `key` (e.g. the tokenizer's SHA-256) to `path`.
    public func save(to path: String, key: String) throws {
        var b = Self.magic
        func u32(_ v: Int) { for s in stride(from: 0, to: 32, by: 8) { b.append(UInt8((v >> s) & 0xFF)) } }
        u32(key.utf8.count); b += Array(key.utf8)
        u32(levels); u32(codebookSize); u32(grids.count)
        func planes(_ planes: [[Int32]]) {
            for p in planes { for v in p { b.append(UInt8(v & 0xFF)); b.append(UInt8((v >> 8) & 0xFF)) } }
        }
        for g in grids {
            u32(g.width); u32(g.height)
            planes(g.planes)
            u32(g.previous == nil ? 0 : 1)
            if let previous = g.previous { planes(previous) }
        }
        try Data(b).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a dataset written by `save`; nil when the file is missing or was made with another key.
    public static func load(from path: String, key: String) -> TokenDataset? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let b = [UInt8](data)
        var o = magic.count
        guard b.count >= o + 4 else { return nil }
        let hasPreviousField = Array(b[0..<o]) == magic
        guard hasPreviousField || Array(b[0..<o]) == magicWithoutPrevious else { return nil }
        func u32() -> Int? {
            guard o + 4 <= b.count else { return nil }
            defer { o += 4 }
            return Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24
        }
        guard let kl = u32(), o + kl <= b.count, String(decoding: b[o..<(o + kl)], as: UTF8.self) == key else { return nil }
        o += kl
        guard let levels = u32(), let k = u32(), let n = u32() else { return nil }
        var grids: [TokenGrid] = []
        for _ in 0..<n {
            guard let w = u32(), let h = u32() else { return nil }
            func planes() -> [[Int32]]? {
                guard o + 2 * levels * w * h <= b.count else { return nil }
                return (0..<levels).map { _ in
                    defer { o += 2 * w * h }
                    return (0..<(w * h)).map { i in Int32(b[o + 2 * i]) | Int32(b[o + 2 * i + 1]) << 8 }
                }
            }
            guard let current = planes() else { return nil }
            var previous: [[Int32]]?
            if hasPreviousField {
                guard let flag = u32(), flag <= 1 else { return nil }
                if flag == 1 { guard let p = planes() else { return nil }; previous = p }
            }
            grids.append(TokenGrid(width: w, height: h, planes: current, previous: previous))
        }
        return TokenDataset(grids: grids, levels: levels, codebookSize: k)
    }
}
