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
        let net = decoder.network, b = TrainingBackend(params: params)
        let rows = decoder.rows(frame, rate)
        let flow = net.motion(Variable(frame), Variable(reference), b)
        let m = net.mvEncode(flow, rows: rows, b).value
        let zm = InterEncoder.rounded(net.mvHyperEncode(Variable(m), b).value)
        let mp = decoder.mvParameters(zm: zm)
        let qm = InterEncoder.rounded(m, minus: mp.mean)
        let pred = decoder.prediction(reference: reference, flow: decoder.flow(mHat: decoder.dequantize(qm, mean: mp.mean), rate: rate))
        let y = net.residualEncode(Variable(frame), prediction: Variable(pred), rows: rows, b).value
        let z = InterEncoder.rounded(net.residualHyperEncode(Variable(y), b).value)
        let rp = decoder.residualParameters(z: z)
        let qy = InterEncoder.rounded(y, minus: rp.mean)
        let rec = decoder.clamped(decoder.reconstruct(yHat: decoder.dequantize(qy, mean: rp.mean), prediction: pred, rate: rate))
        return InterCodedFrame(symbols: InterSymbols(zm: zm, qm: qm, z: z, qy: qy), mvScale: mp.scale, frameScale: rp.scale,
                               reconstruction: rec)
    }
}
