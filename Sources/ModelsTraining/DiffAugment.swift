import Tensor
import TensorTraining

/// Differentiable augmentation of the discriminator's inputs (DiffAugment, Zhao et al. 2020,
/// "color,translation,cutout"): with a few hundred training frames a patch discriminator learns
/// the real images by heart and wins within a thousand steps (docs/training.md); showing it every
/// real and every reconstructed image through a fresh random augmentation, with gradients through
/// the augmentation to the generator, is the standard remedy for GANs on little data.
///
/// Per image, in this order, on images in [0, 1] (DiffAugment's ranges, which are for [-1, 1],
/// halved where they are not scale-free): brightness + U(-0.25, 0.25); saturation (x - channel
/// mean) · U(0, 2) + channel mean per pixel; contrast (x - image mean) · U(0.5, 1.5) + image mean;
/// a translation by up to 1/8 of each side; a cutout of half of each side centred anywhere.
/// Pixels moved in from outside and cut out are mid-grey (0.5, DiffAugment's zero in [-1, 1]).
/// Every step is affine in the image, so the backward pass is the transposed map.
public enum DiffAugment {
    /// One image's random draw.
    public struct Draw: Equatable, Sendable {
        public var brightness: Float, saturation: Float, contrast: Float
        /// Output pixel (y, x) shows input pixel (y - shiftY, x - shiftX).
        public var shiftY: Int, shiftX: Int
        /// The cut-out rectangle in output pixels (empty ranges: none).
        public var cutRows: Range<Int>, cutColumns: Range<Int>

        /// The draw that changes nothing.
        public static let identity = Draw(brightness: 0, saturation: 1, contrast: 1, shiftY: 0, shiftX: 0,
                                          cutRows: 0..<0, cutColumns: 0..<0)

        public init(brightness: Float, saturation: Float, contrast: Float, shiftY: Int, shiftX: Int,
                    cutRows: Range<Int>, cutColumns: Range<Int>) {
            self.brightness = brightness; self.saturation = saturation; self.contrast = contrast
            self.shiftY = shiftY; self.shiftX = shiftX; self.cutRows = cutRows; self.cutColumns = cutColumns
        }
    }

    /// The value of pixels shifted in or cut out.
    public static let fill: Float = 0.5

    /// `count` independent draws for images of `height` x `width`.
    public static func draws(count: Int, height: Int, width: Int, rng: inout RNG) -> [Draw] {
        func shift(_ side: Int) -> Int { let r = side / 8; return rng.int(below: 2 * r + 1) - r }
        func cut(_ side: Int) -> Range<Int> {
            let size = (side + 1) / 2, centre = rng.int(below: side)
            return max(0, centre - size / 2)..<min(side, centre - size / 2 + size)
        }
        return (0..<count).map { _ in
            let b = rng.uniform(-0.25, 0.25), s = rng.uniform(0, 2), c = rng.uniform(0.5, 1.5)
            let (dy, dx) = (shift(height), shift(width))
            let (rows, cols) = (cut(height), cut(width))
            return Draw(brightness: b, saturation: s, contrast: c, shiftY: dy, shiftX: dx, cutRows: rows, cutColumns: cols)
        }
    }

    /// The augmented images: `x` [N, 3, H, W] with `draws[n]` applied to image n.
    public static func apply(_ x: Variable, _ draws: [Draw]) -> Variable {
        let s = x.shape
        precondition(s.count == 4 && s[1] == 3 && draws.count == s[0], "DiffAugment takes [N, 3, H, W] and one draw per image, not \(s) and \(draws.count)")
        let plane = s[2] * s[3], size = 3 * plane
        var y = Tensor.zeros(s)
        for (n, d) in draws.enumerated() {
            let colour = colourForward(Array(x.value.storage[n * size..<(n + 1) * size]), d, plane: plane)
            move(colour, into: &y.storage[n * size..<(n + 1) * size], d, height: s[2], width: s[3], forward: true)
        }
        return Variable.node(y, parents: [x]) { g in
            var dx = Tensor.zeros(s)
            for (n, d) in draws.enumerated() {
                var moved = [Float](repeating: 0, count: size)
                move(Array(g.storage[n * size..<(n + 1) * size]), into: &moved[...], d, height: s[2], width: s[3], forward: false)
                dx.storage.replaceSubrange(n * size..<(n + 1) * size, with: colourBackward(moved, d, plane: plane))
            }
            x.accumulate(dx)
        }
    }

    /// Brightness, saturation and contrast of one image [3, P].
    static func colourForward(_ image: [Float], _ d: Draw, plane: Int) -> [Float] {
        var a = image.map { $0 + d.brightness }
        for p in 0..<plane {
            let m = (a[p] + a[plane + p] + a[2 * plane + p]) / 3
            for c in 0..<3 { a[c * plane + p] = (a[c * plane + p] - m) * d.saturation + m }
        }
        let m = a.reduce(0, +) / Float(a.count)
        return a.map { ($0 - m) * d.contrast + m }
    }

    /// The transpose of `colourForward`'s linear part, applied to a gradient [3, P].
    static func colourBackward(_ g: [Float], _ d: Draw, plane: Int) -> [Float] {
        let total = g.reduce(0, +) / Float(g.count)
        var a = g.map { d.contrast * $0 + (1 - d.contrast) * total }
        for p in 0..<plane {
            let m = (a[p] + a[plane + p] + a[2 * plane + p]) / 3
            for c in 0..<3 { a[c * plane + p] = d.saturation * a[c * plane + p] + (1 - d.saturation) * m }
        }
        return a
    }

    /// Translation and cutout of one image [3, H, W]: forward writes the moved image into `out`
    /// (fill where nothing lands), backward gathers the output gradient back to input positions
    /// (0 where an input pixel was shifted out or cut).
    static func move(_ src: [Float], into out: inout ArraySlice<Float>, _ d: Draw, height h: Int, width w: Int, forward: Bool) {
        let base = out.startIndex
        for c in 0..<3 {
            for oy in 0..<h {
                let iy = oy - d.shiftY
                for ox in 0..<w {
                    let ix = ox - d.shiftX
                    let visible = iy >= 0 && iy < h && ix >= 0 && ix < w && !(d.cutRows.contains(oy) && d.cutColumns.contains(ox))
                    let o = (c * h + oy) * w + ox, i = (c * h + iy) * w + ix
                    if forward {
                        out[base + o] = visible ? src[i] : fill
                    } else if visible {
                        out[base + i] = src[o]
                    }
                }
            }
        }
    }
}
