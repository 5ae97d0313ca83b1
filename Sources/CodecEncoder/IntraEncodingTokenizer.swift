import Codec
import Tensor

/// An I-frame model that can also encode: images to RVQ indices (encoder side, any kernels,
/// BLAS included). Kept out of `Codec` so the decoder links no training kernels.
public protocol IntraEncodingTokenizer: IntraTokenizer {
    /// Quantizes an RGB image `[1, 3, H, W]` (H, W multiples of `downsampling`) to `levels` levels.
    func encode(_ image: Tensor, levels: Int, threads: Int) throws -> IndexPlanes
}

/// An I-frame model whose codes can be chosen by rate-distortion search (`RDSearch`).
public protocol RDSearchTokenizer: IntraEncodingTokenizer {
    /// Like `encode(_:levels:threads:)`, the codes chosen by `search`; `rate` gives the bits of
    /// every code at every position given the current planes (`IndexRateTable`).
    func encode(_ image: Tensor, levels: Int, threads: Int, search: RDSearch,
                rate: (IndexPlanes) throws -> [[Float]]) throws -> IndexPlanes
}
