import Models
import Tensor
import TensorTraining

/// The P-frame encoder of the residual (DVC) model: motion estimation and analysis transforms on
/// the training kernels (what they produce is transmitted), the flow, the prediction, the
/// probabilities and the reconstruction on the decoder's deterministic path, so encoder and
/// decoder never drift.
public struct ResidualInterEncoder {
    public let decoder: ResidualInterDecoder
    /// Every weight (encoder and decoder), frozen.
    public let params: ParameterSet

    /// `weights` must hold every weight of `config` (a residual-mode model).
    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        decoder = try ResidualInterDecoder(config: config, weights: weights, threads: threads)
        params = try decoder.network.frozenParameters(weights) { InterConfigError(reason: $0) }
    }

    /// Codes `frame` [N, 3, H, W] against `reference` (the previous decoded frame) at rate point
    /// `rate`: the symbols (`z`, `qy` those of the residual), the scales the entropy coder needs
    /// and the clamped reconstruction.
    public func encode(frame: Tensor, reference: Tensor, rate: Int) -> InterCodedFrame {
        let a = analyze(frame: frame, reference: reference, rate: rate)
        let rec = decoder.clamped(decoder.reconstruct(yHat: a.yHat, prediction: a.prediction, rate: rate))
        return InterCodedFrame(symbols: a.symbols, mvScale: a.mv.scale, frameScale: a.residual.scale, reconstruction: rec)
    }

    /// The symbols of `frame` against `reference` at rate point `rate` and the decode-path values
    /// formed on the way, without the reconstruction.
    public func analyze(frame: Tensor, reference: Tensor, rate: Int) -> ResidualInterAnalysis {
        let net = decoder.network, b = TrainingBackend(params: params)
        let rows = decoder.rows(frame, rate)
        let flow = net.motion(Variable(frame), Variable(reference), b)
        let m = net.mvEncode(flow, rows: rows, b).value
        let zm = InterEncoder.rounded(net.mvHyperEncode(Variable(m), b).value)
        let mp = decoder.mvParameters(zm: zm)
        let qm = InterEncoder.rounded(m, minus: mp.mean)
        let mHat = decoder.dequantize(qm, mean: mp.mean)
        let pred = decoder.prediction(reference: reference, flow: decoder.flow(mHat: mHat, rate: rate))
        let y = net.residualEncode(Variable(frame), prediction: Variable(pred), rows: rows, b).value
        let z = InterEncoder.rounded(net.residualHyperEncode(Variable(y), b).value)
        let rp = decoder.residualParameters(z: z)
        let qy = InterEncoder.rounded(y, minus: rp.mean)
        return ResidualInterAnalysis(symbols: InterSymbols(zm: zm, qm: qm, z: z, qy: qy), mv: mp, mHat: mHat,
                                     prediction: pred, residual: rp, yHat: decoder.dequantize(qy, mean: rp.mean))
    }
}

/// The analysis of one P-frame by the residual model: its symbols and the decode-path values
/// formed on the way (each what `ResidualInterDecoder` computes from the same symbols, bit for bit).
public struct ResidualInterAnalysis {
    public var symbols: InterSymbols
    /// `mvParameters(zm:)` of ẑ_m, and m̂ = q_m + mean_m.
    public var mv: (mean: Tensor, scale: Tensor)
    public var mHat: Tensor
    /// `prediction(reference:flow:)` of the flow decoded from m̂.
    public var prediction: Tensor
    /// `residualParameters(z:)` of ẑ, and ŷ = q_y + mean_y.
    public var residual: (mean: Tensor, scale: Tensor)
    public var yHat: Tensor
}
