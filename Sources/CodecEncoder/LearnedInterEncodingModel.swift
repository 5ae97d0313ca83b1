import Bitstream
import Codec
import Foundation
import Models
import ModelsTraining
import Tensor

/// A learned P-frame model (either coding mode) with its encoder side (`InterEncoder`: motion
/// estimation and analysis on the training kernels; probabilities, the context or prediction and
/// the reconstruction on the decode path of the wrapped `LearnedInterModel`).
///
/// The analysis runs decode stages 1-4 of spec/inter.md §4 on the frame's own symbols (their
/// probabilities and the context or prediction feed it); the stream encoder then decodes the unit
/// it wrote to form the next reference. So that those stages are not computed twice, `analyze`
/// keeps its last results, and `mvParameters`, `context` and `frameParameters` answer from them
/// when their inputs are bit for bit the analysis's own: the same deterministic function of the
/// same bits, so the answer is what the decode path would compute (stage 5, the reconstruction,
/// always runs here). Any other input is computed afresh.
public final class LearnedInterEncodingModel: InterEncodingModel {
    public let model: LearnedInterModel
    public let encoder: InterEncoder
    /// The last analysis, its reference and MV rate, until the reconstruction that ends its frame.
    private var last: (analysis: InterAnalysis, reference: Tensor, mvRate: Int)?
    /// Stages answered from `last` since this model was made (for tests).
    public private(set) var reusedStages = 0

    /// `file` must be the weight file `model` was loaded from (it also holds the encoder weights).
    public init(model: LearnedInterModel, file: WeightFile, threads: Int) throws {
        do {
            encoder = try InterEncoder(config: model.decoder.config, weights: try file.floatTensors(), threads: threads)
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
        if let a = last?.analysis, Self.identical(zm, a.symbols.zm) { reusedStages += 1; return a.mv }
        return model.mvParameters(zm: zm)
    }

    public func context(reference: Tensor, mHat: Tensor, mvRate: Int) -> Tensor {
        if let l = last, l.mvRate == mvRate, Self.identical(mHat, l.analysis.mHat), Self.identical(reference, l.reference) {
            reusedStages += 1
            return l.analysis.context
        }
        return model.context(reference: reference, mHat: mHat, mvRate: mvRate)
    }

    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        // The context is compared in both modes, though the residual prior does not read it.
        if let a = last?.analysis, Self.identical(z, a.symbols.z), Self.identical(context, a.context) {
            reusedStages += 1
            return a.frame
        }
        return model.frameParameters(z: z, context: context)
    }

    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        last = nil  // the frame's last stage: free its tensors
        return model.reconstruct(yHat: yHat, context: context, rate: rate)
    }

    public func analyze(frame: Tensor, reference: Tensor, rate: Int, mvRate: Int) -> (symbols: InterFrameSymbols, mvScale: Tensor, frameScale: Tensor) {
        last = nil
        let a = encoder.analyze(frame: frame, reference: reference, rate: rate, mvRate: mvRate)
        last = (a, reference, mvRate)
        let s = a.symbols
        return (InterFrameSymbols(zm: s.zm, qm: s.qm, z: s.z, qy: s.qy), a.mv.scale, a.frame.scale)
    }

    /// Same shape and the same bits in every element (+0 and -0 differ; NaNs compare by payload).
    static func identical(_ a: Tensor, _ b: Tensor) -> Bool {
        guard a.shape == b.shape else { return false }
        return a.storage.withUnsafeBytes { pa in
            b.storage.withUnsafeBytes { pb in pa.count == pb.count && (pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0) }
        }
    }
}
