import Tensor

/// The symbols of one coded P-frame, as Float tensors holding integers: MV hyper-latents ẑ_m,
/// MV latent symbols q_m = round(m - mean_m), hyper-latents ẑ and frame latent symbols
/// q_y = round(y - mean_y). Each q is coded under the zero-centred table its scale selects.
public struct InterSymbols: Equatable {
    public var zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor
    public init(zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor) { self.zm = zm; self.qm = qm; self.z = z; self.qy = qy }
}
