import Bitstream
import Codec
import Models
import ModelsTraining
import Tensor

/// The DCVC P-frame model with its encoder side (`InterEncoder`: motion estimation and analysis
/// on the training kernels; probabilities on the decode path of the wrapped `DCVCInterModel`).
public final class DCVCInterEncodingModel: InterEncodingModel {
    public let model: DCVCInterModel
    public let encoder: InterEncoder

    /// `file` must be the weight file `model` was loaded from (it also holds the encoder weights).
    public init(model: DCVCInterModel, file: WeightFile, threads: Int) throws {
        do {
            let st = try SafeTensorsFile.parse(file.bytes, path: file.path)
            var weights: [String: Tensor] = [:]
            for (name, t) in st.tensors where t.dtype == .f32 { weights[name] = t.tensor() }
            encoder = try InterEncoder(config: model.decoder.config, weights: weights, threads: threads)
        } catch {
            throw CodecError(file: file.path, "inter model \(model.modelName) has no encoder weights: \(error)")
        }
        self.model = model
    }

    public var modelName: String { model.modelName }
    public var weightRef: WeightRef { model.weightRef }
    public var lambdas: [Int] { model.lambdas }
    public var channels: InterChannels { model.channels }
    public var tables: InterTables { model.tables }

    public func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) { model.mvParameters(zm: zm) }
    public func context(reference: Tensor, mHat: Tensor, rate: Int) -> Tensor { model.context(reference: reference, mHat: mHat, rate: rate) }
    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) { model.frameParameters(z: z, context: context) }
    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor { model.reconstruct(yHat: yHat, context: context, rate: rate) }

    public func analyze(frame: Tensor, reference: Tensor, rate: Int) -> (symbols: InterFrameSymbols, mvScale: Tensor, frameScale: Tensor) {
        let coded = encoder.encode(frame: frame, reference: reference, rate: rate)
        let s = coded.symbols
        return (InterFrameSymbols(zm: s.zm, qm: s.qm, z: s.z, qy: s.qy), coded.mvScale, coded.frameScale)
    }
}
