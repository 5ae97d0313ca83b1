import Media
import Tensor

/// The reference a P-frame is predicted from (spec/inter.md §2): the previous decoded frame,
/// cropped to the output size, clamped to [0, 1] and replicate-padded to multiples of 64. One
/// rule for I- and P-frames, so a reference never depends on how its frame was padded.
public enum ReferenceFrame {
    /// The reference made from a decoded frame's cropped RGB planes.
    public static func make(_ rgb: RGBPlanes) -> Tensor {
        clamped(FramePadding.padded(rgb, multiple: InterStreamSyntax.multiple))
    }

    /// Each element clamped to [0, 1] (exact; NaN becomes 0).
    public static func clamped(_ x: Tensor) -> Tensor {
        var x = x
        for i in 0..<x.count { x.storage[i] = Float.minimum(1, Float.maximum(0, x.storage[i])) }
        return x
    }
}
