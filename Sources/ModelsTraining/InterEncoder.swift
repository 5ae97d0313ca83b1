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

/// The analysis of one P-frame: its symbols and the decode-path values formed on the way, each
/// the deterministic decode path's function of the symbols decoded before it and the reference
/// (what `decodeFrame` of `InterEncoder.decoder` computes from the same symbols, bit for bit), up
/// to but not including the reconstruction.
public struct InterAnalysis {
    public var symbols: InterSymbols
    /// `mvParameters(zm:)` of ẑ_m.
    public var mv: (mean: Tensor, scale: Tensor)
    /// m̂ = q_m + mean_m.
    public var mHat: Tensor
    /// `context(reference:flow:)` of the flow decoded from m̂ (residual mode: the prediction x̄).
    public var context: Tensor
    /// `frameParameters(z:context:)` of ẑ and the context (residual mode: of the residual).
    public var frame: (mean: Tensor, scale: Tensor)
    /// ŷ = q_y + mean_y.
    public var yHat: Tensor
}

/// The P-frame encoder of either coding mode: motion estimation and analysis transforms on the
/// training kernels (what they produce is transmitted), everything that forms probabilities or
/// the reference (flow, context or prediction, reconstruction) on the decoder's deterministic
/// path, so encoder and decoder never drift.
public struct InterEncoder {
    /// The decode path of the model's mode (`InterDecoder` or `ResidualInterDecoder`).
    public let decoder: any InterDecodePath
    /// Every weight (encoder and decoder), frozen.
    public let params: ParameterSet

    /// `weights` must hold every weight of `config` (a file from `dcvc-train inter --export`).
    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        decoder = try config.codingMode.decodePath.init(config: config, weights: weights, threads: threads)
        params = try decoder.network.frozenParameters(weights) { InterConfigError(reason: $0) }
    }

    /// Codes `frame` [N, 3, H, W] against `reference` (the previous decoded frame) at rate point
    /// `rate` (an index into `config.lambdas`); residual mode: `z`, `qy` and `frameScale` are the
    /// residual's.
    public func encode(frame: Tensor, reference: Tensor, rate: Int) -> InterCodedFrame {
        let a = analyze(frame: frame, reference: reference, rate: rate)
        let rec = decoder.clamped(decoder.reconstruct(yHat: a.yHat, context: a.context, rate: rate))
        return InterCodedFrame(symbols: a.symbols, mvScale: a.mv.scale, frameScale: a.frame.scale, reconstruction: rec)
    }

    /// The symbols of `frame` against `reference` at rate point `rate`, the motion vectors at
    /// `mvRate` (by default `rate`), without the reconstruction (`encode` adds it; a codec gets it
    /// from its decoder).
    public func analyze(frame: Tensor, reference: Tensor, rate: Int, mvRate: Int? = nil) -> InterAnalysis {
        let net = decoder.network, b = TrainingBackend(params: params)
        let rows = decoder.rows(frame, rate), mvRate = mvRate ?? rate
        let flow = net.motion(Variable(frame), Variable(reference), b)
        let m = net.mvEncode(flow, rows: decoder.rows(frame, mvRate), b).value
        let zm = Self.rounded(net.mvHyperEncode(Variable(m), b).value)
        let mp = decoder.mvParameters(zm: zm)
        let qm = Self.rounded(m, minus: mp.mean)
        let mHat = decoder.dequantize(qm, mean: mp.mean)
        let ctx = decoder.context(reference: reference, flow: decoder.flow(mHat: mHat, rate: mvRate))
        let y: Tensor, z: Tensor
        if net.config.isResidual {  // the analysis of x - x̄, else of x given the context
            y = net.residualEncode(Variable(frame), prediction: Variable(ctx), rows: rows, b).value
            z = Self.rounded(net.residualHyperEncode(Variable(y), b).value)
        } else {
            y = net.frameEncode(Variable(frame), context: Variable(ctx), rows: rows, b).value
            z = Self.rounded(net.hyperEncode(Variable(y), b).value)
        }
        let fp = decoder.frameParameters(z: z, context: ctx)
        let qy = Self.rounded(y, minus: fp.mean)
        return InterAnalysis(symbols: InterSymbols(zm: zm, qm: qm, z: z, qy: qy), mv: mp, mHat: mHat, context: ctx,
                             frame: fp, yHat: decoder.dequantize(qy, mean: fp.mean))
    }

    /// round(x - mean) elementwise (half to even), or round(x) without a mean; a zero is +0, as
    /// the entropy decoder produces it, so the symbols are the decoder's bit for bit.
    static func rounded(_ x: Tensor, minus mean: Tensor? = nil) -> Tensor {
        var out = x
        for i in 0..<out.count { out.storage[i] = (x.storage[i] - (mean?.storage[i] ?? 0)).rounded(.toNearestOrEven) + 0 }
        return out
    }
}
