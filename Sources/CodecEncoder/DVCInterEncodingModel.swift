import Bitstream
import Codec
import Foundation
import Models
import ModelsTraining
import Tensor

/// The residual (DVC baseline) P-frame model with its encoder side (`ResidualInterEncoder`:
/// motion estimation and analysis on the training kernels; probabilities and the prediction on
/// the decode path of the wrapped `DVCInterModel`).
///
/// As `DCVCInterEncodingModel`, `analyze` keeps its last results, and `mvParameters`, `context`
/// (the prediction) and `frameParameters` answer from them when their inputs are bit for bit the
/// analysis's own (the same deterministic function of the same bits); the reconstruction always
/// runs here.
public final class DVCInterEncodingModel: InterEncodingModel {
    public let model: DVCInterModel
    public let encoder: ResidualInterEncoder
    /// The last analysis, its reference and rate, until the reconstruction that ends its frame.
    private var last: (analysis: ResidualInterAnalysis, reference: Tensor, rate: Int)?
    /// Stages answered from `last` since this model was made (for tests).
    public private(set) var reusedStages = 0

    /// `file` must be the weight file `model` was loaded from (it also holds the encoder weights).
    public init(model: DVCInterModel, file: WeightFile, threads: Int) throws {
        do {
            encoder = try ResidualInterEncoder(config: model.decoder.config, weights: try file.floatTensors(), threads: threads)
        } catch {
            throw CodecError(file: file.path, "inter model \(model.modelName) has no encoder weights: \(error)")
        }
        guard encoder.decoder.weights == model.decoder.weights else {
            throw CodecError(file: file.path, "inter model \(model.modelName): decode-path weights differ from the encoder's")
        }
        self.model = model
    }

    public var modelName: String { model.modelName }
    public var weightRef: WeightRef { model.weightRef }
    public var lambdas: [Int] { model.lambdas }
    public var channels: InterChannels { model.channels }
    public var tables: InterTables { model.tables }

    public func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) {
        if let a = last?.analysis, DCVCInterEncodingModel.identical(zm, a.symbols.zm) { reusedStages += 1; return a.mv }
        return model.mvParameters(zm: zm)
    }

    public func context(reference: Tensor, mHat: Tensor, rate: Int) -> Tensor {
        if let l = last, l.rate == rate, DCVCInterEncodingModel.identical(mHat, l.analysis.mHat),
           DCVCInterEncodingModel.identical(reference, l.reference) {
            reusedStages += 1
            return l.analysis.prediction
        }
        return model.context(reference: reference, mHat: mHat, rate: rate)
    }

    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        if let a = last?.analysis, DCVCInterEncodingModel.identical(z, a.symbols.z) { reusedStages += 1; return a.residual }
        return model.frameParameters(z: z, context: context)
    }

    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        last = nil  // the frame's last stage: free its tensors
        return model.reconstruct(yHat: yHat, context: context, rate: rate)
    }

    public func analyze(frame: Tensor, reference: Tensor, rate: Int) -> (symbols: InterFrameSymbols, mvScale: Tensor, frameScale: Tensor) {
        last = nil
        let a = encoder.analyze(frame: frame, reference: reference, rate: rate)
        last = (a, reference, rate)
        let s = a.symbols
        return (InterFrameSymbols(zm: s.zm, qm: s.qm, z: s.z, qy: s.qy), a.mv.scale, a.residual.scale)
    }
}
