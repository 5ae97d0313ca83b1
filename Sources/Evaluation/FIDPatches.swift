import Media

/// The patches FID/256 is computed over (Mentzer et al., "High-Fidelity Generative Image
/// Compression", 2020; MS-ILLM reports it the same way), as neuralcompression's
/// `update_patch_fid` cuts them: the grid of non-overlapping `size` x `size` patches from the
/// top-left corner (partial patches at the right and bottom edges dropped), and, when both sides
/// are at least 1.5 x `size`, a second such grid starting at (size / 2, size / 2).
///
/// A frame smaller than `size` in either dimension has no patches (the reference's `unfold`
/// yields none); FID is then unmeasured for it.
public enum FIDPatches {
    /// The patch side of FID/256.
    public static let size = 256

    /// Top-left corners (x, y) of the patches of a width x height frame, grid by grid, rows first.
    public static func origins(width: Int, height: Int, size: Int = size) -> [(x: Int, y: Int)] {
        var out: [(x: Int, y: Int)] = []
        var offsets = [0]
        if 2 * width >= 3 * size && 2 * height >= 3 * size { offsets.append(size / 2) }
        for o in offsets {
            let rows = (height - o) / size, cols = (width - o) / size
            for r in 0..<rows { for c in 0..<cols { out.append((o + c * size, o + r * size)) } }
        }
        return out
    }

    /// The patches of `image`, in `origins` order.
    public static func patches(of image: RGBPlanes, size: Int = size) -> [RGBPlanes] {
        origins(width: image.width, height: image.height, size: size).map { crop(image, x: $0.x, y: $0.y, size: size) }
    }

    static func crop(_ image: RGBPlanes, x: Int, y: Int, size: Int) -> RGBPlanes {
        var data = [Float](repeating: 0, count: 3 * size * size)
        for c in 0..<3 {
            for r in 0..<size {
                let src = c * image.planeCount + (y + r) * image.width + x, dst = (c * size + r) * size
                for i in 0..<size { data[dst + i] = image.data[src + i] }
            }
        }
        return RGBPlanes(width: size, height: size, data: data)
    }
}
