import Models
import Bitstream
import Tensor

/// Channel counts of a P-frame's four symbol tensors.
public struct InterChannels: Equatable, Sendable {
    /// MV hyper-latents (1/64), MV latents (1/16), frame hyper-latents (1/64), frame latents (1/16).
    public var mvHyper: Int, mvLatent: Int, hyper: Int, latent: Int

    public init(mvHyper: Int, mvLatent: Int, hyper: Int, latent: Int) {
        self.mvHyper = mvHyper; self.mvLatent = mvLatent; self.hyper = hyper; self.latent = latent
    }

    /// The channel counts of a learned P-frame model's configuration.
    public init(_ c: InterConfig) {
        self.init(mvHyper: c.mvHyper, mvLatent: c.mvLatent, hyper: c.hyper, latent: c.latent)
    }
}

/// A P-frame model as the decoder runs it: the deterministic decode stages of spec/inter.md §4
/// and the integer tables its symbols are coded with. Every stage must give the same bits on any
/// machine and thread count (the models' `DeterministicBackend`).
public protocol InterModel: AnyObject {
    /// The registry name (`inter_model`).
    var modelName: String { get }
    /// The weight file, named in the stream by SHA-256.
    var weightRef: WeightRef { get }
    /// The rate points the model was trained for; a stream's `rate_point` must be one of them.
    var lambdas: [Int] { get }
    var channels: InterChannels { get }
    var tables: InterTables { get }

    /// Stage 1: decoded MV hyper-latents [1, mvHyper, H/64, W/64] -> mean and scale of each MV
    /// latent [1, mvLatent, H/16, W/16].
    func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor)
    /// Stages 2-3: decoded MV latents m̂ (at MV rate index `mvRate`) and the reference
    /// [1, 3, H, W] -> temporal context.
    func context(reference: Tensor, mHat: Tensor, mvRate: Int) -> Tensor
    /// Stage 4: decoded hyper-latents and the context -> mean and scale of each frame latent.
    func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor)
    /// Stage 5: decoded frame latents ŷ and the context -> the frame [1, 3, H, W], not clamped.
    func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor
}

/// The integer symbols of one P-frame (Float tensors holding integers): MV hyper-latents ẑ_m,
/// MV latent residuals q_m = round(m - mean_m), frame hyper-latents ẑ and frame latent residuals
/// q_y = round(y - mean_y) (spec/inter.md §3).
public struct InterFrameSymbols: Equatable {
    public var zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor

    public init(zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor) { self.zm = zm; self.qm = qm; self.z = z; self.qy = qy }
}
