import Bitstream
import Codec
import Media
import Tensor

/// Turns frames into hyperprior I-frame units (spec/hyperprior.md): RGB, replicate padding to
/// multiples of 64, the model's analysis at the stream's rate point, two entropy-coded substreams.
public final class HyperpriorStreamEncoder: IntraFrameEncoder {
    public let model: HyperpriorIntraEncoder
    /// The I-frames' rate point (`intra_rate_point`) and its index in the model's lambdas.
    public let ratePoint: Int, rate: Int
    public let header: SequenceHeader
    public let color: ResolvedColor
    private var nextIndex = 0

    /// Prepares a stream of `width x height` frames coded at rate point `ratePoint` (a lambda of
    /// the model), colour as `IntraStreamEncoder`.
    public init(model: HyperpriorIntraEncoder, ratePoint: Int, width: Int, height: Int, frameRate: FrameRate,
                color: ResolvedColor, primaries: Int = 1, transfer: Int = 1) throws {
        guard HyperpriorStreamSyntax.ratePoints.contains(ratePoint) else {
            throw CodecError(file: model.modelName, "--lambda \(ratePoint) is not one of the stream rate points \(HyperpriorStreamSyntax.ratePoints.map(String.init).joined(separator: ", "))")
        }
        rate = try model.rate(lambda: ratePoint)
        self.model = model
        self.ratePoint = ratePoint
        self.color = color
        header = IntraStreamEncoder.header(
            width: width, height: height, frameRate: frameRate, color: color, primaries: primaries, transfer: transfer,
            tools: HyperpriorStreamSyntax.tools(model: model.modelName, ratePoint: ratePoint),
            weights: [model.model.weightRef], substreamNames: HyperpriorStreamSyntax.substreamNames)
    }

    public func encode(_ frame: VideoFrame, index: Int? = nil) throws -> FrameUnit {
        if let index { nextIndex = index }
        guard frame.width == header.width, frame.height == header.height else {
            throw CodecError(file: model.modelName, frame: nextIndex,
                             "frame is \(frame.width)x\(frame.height), the stream is \(header.width)x\(header.height)")
        }
        let image = FramePadding.padded(ColorConversion.toRGB(frame, color: color), multiple: HyperpriorStreamSyntax.multiple)
        defer { nextIndex += 1 }
        return FrameUnit(type: .intra, index: nextIndex, substreams: model.substreams(image, rate: rate))
    }
}
