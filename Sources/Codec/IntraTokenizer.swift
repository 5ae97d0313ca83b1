import Bitstream
import Tensor

/// What the decoder needs from an I-frame model: indices back to images (deterministic kernels
/// only). The encoder's side, images to indices, is `IntraEncodingTokenizer` in `CodecEncoder`.
///
/// The model decides its downsampling factor, level count and codebook size; the codec pads
/// frames to a multiple of `downsampling`, codes one substream per level, and crops back.
public protocol IntraTokenizer: AnyObject {
    /// The `intra_model` value written into the sequence header (e.g. `vqgan-f8`).
    var modelName: String { get }
    /// The weight files the decoder needs, by name and SHA-256.
    var weightRefs: [WeightRef] { get }
    /// Spatial downsampling from pixels to latent positions (8 or 16).
    var downsampling: Int { get }
    /// The number of RVQ levels the model has (a stream may send fewer).
    var maxLevels: Int { get }
    /// Codes per level.
    var codebookSize: Int { get }
    /// Reconstructs `[1, 3, H, W]` RGB from the first `indices.levels` levels, bit-exactly on every
    /// machine and thread count.
    func decode(_ indices: IndexPlanes, threads: Int) throws -> Tensor
}

/// RVQ indices of one image: `levels` planes of `height x width` latent positions, raster order.
public struct IndexPlanes: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// `planes[l][y * width + x]` is the code chosen at level `l`.
    public var planes: [[Int32]]

    public init(width: Int, height: Int, planes: [[Int32]]) {
        precondition(planes.allSatisfy { $0.count == width * height }, "index plane size")
        self.width = width
        self.height = height
        self.planes = planes
    }

    /// Number of levels held.
    public var levels: Int { planes.count }

    /// The first `n` levels.
    public func prefix(_ n: Int) -> IndexPlanes {
        IndexPlanes(width: width, height: height, planes: Array(planes.prefix(n)))
    }
}
