import Models
import Tensor
import TensorTraining

/// What the encoder produces for one P-frame: the symbols, the per-element scales the entropy
/// coder needs for q_m and q_y (the decoder recomputes the same bits), and the reconstruction
/// (clamped), which is the next frame's reference.
public struct InterCodedFrame {
    public var symbols: InterSymbols
    public var mvScale: Tensor, frameScale: Tensor
    public var reconstruction: Tensor
}

/// The P-frame encoder: motion estimation and analysis transforms on the training kernels (what
/// they produce is transmitted), everything that forms probabilities or the reference on the
/// decoder's deterministic path, so encoder and decoder never drift.
public struct InterEncoder {
    public let decoder: InterDecoder
    /// Every weight (encoder and decoder), frozen.
    public let params: ParameterSet

    /// `weights` must hold every weight of `config` (a file from `dcvc-train inter --export`).
    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        decoder = try InterDecoder(config: config, weights: weights, threads: threads)
        let p = ParameterSet()
        for s in decoder.network.weightSpecs() {
            guard let w = weights[s.name], w.shape == s.shape else {
                throw InterConfigError(reason: "encoder weight \(s.name): expected \(s.shape)")
            }
            p.add(s.name, w)
        }
        p.setTrainable(false) { _ in true }
        params = p
    }

    /// Codes `frame` [N, 3, H, W] against `reference` (the previous decoded frame) at rate point
    /// `rate` (an index into `config.lambdas`).
    public func encode(frame: Tensor, reference: Tensor, rate: Int) -> InterCodedFrame {
        let net = decoder.network, b = TrainingBackend(params: params)
        let rows = decoder.rows(frame, rate)
        let flow = net.motion(Variable(frame), Variable(reference), b)
        let m = net.mvEncode(flow, rows: rows, b).value
        let zm = Self.rounded(net.mvHyperEncode(Variable(m), b).value)
        let mp = decoder.mvParameters(zm: zm)
        let qm = Self.rounded(m, minus: mp.mean)
        let ctx = decoder.context(reference: reference, flow: decoder.flow(mHat: decoder.dequantize(qm, mean: mp.mean), rate: rate))
        let y = net.frameEncode(Variable(frame), context: Variable(ctx), rows: rows, b).value
        let z = Self.rounded(net.hyperEncode(Variable(y), b).value)
        let fp = decoder.frameParameters(z: z, context: ctx)
        let qy = Self.rounded(y, minus: fp.mean)
        let rec = decoder.clamped(decoder.reconstruct(yHat: decoder.dequantize(qy, mean: fp.mean), context: ctx, rate: rate))
        return InterCodedFrame(symbols: InterSymbols(zm: zm, qm: qm, z: z, qy: qy), mvScale: mp.scale, frameScale: fp.scale,
                               reconstruction: rec)
    }

    /// round(x - mean) elementwise (half to even), or round(x) without a mean.
    static func rounded(_ x: Tensor, minus mean: Tensor? = nil) -> Tensor {
        var out = x
        for i in 0..<out.count { out.storage[i] = (x.storage[i] - (mean?.storage[i] ?? 0)).rounded(.toNearestOrEven) }
        return out
    }
}
