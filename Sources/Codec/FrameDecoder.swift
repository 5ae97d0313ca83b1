import Bitstream
import Media
import Tensor

/// Decodes frame units in stream order to RGB planes, dispatching on the frame type and keeping
/// the one reference P-frames need (spec/inter.md §2). The decoder and the encoder both run it,
/// so the encoder's references are the decoder's, bit for bit. Memory holds one reference,
/// whatever the number of frames.
public final class FrameDecoder {
    public let intra: IntraStreamDecoder
    /// The P-frame decoder, when the stream names an inter model.
    public let inter: InterFrameDecoder?
    /// The reference for the next P-frame: the last decoded frame (`ReferenceFrame`), or nil
    /// before the first frame and in streams without P-frames.
    public private(set) var reference: Tensor?
    let file: String

    /// `inter` must be given exactly when the header names an inter model.
    public init(intra: IntraStreamDecoder, inter: InterModel?, file: String) throws {
        self.intra = intra
        self.file = file
        let p = intra.parameters
        switch (p.inter, inter) {
        case (nil, nil): self.inter = nil
        case (let params?, let model?):
            guard params.model == model.modelName else {
                throw CodecError(file: file, "stream's inter_model \(params.model) is not \(model.modelName)")
            }
            self.inter = try InterFrameDecoder(model: model, ratePoint: params.ratePoint, mvRatePoint: params.mvRatePoint,
                                               width: p.width, height: p.height, file: file)
        case (let params?, nil): throw CodecError(file: file, "inter_model \(params.model) is needed; the decoder has none")
        case (nil, let model?): throw CodecError(file: file, "inter model \(model.modelName) for a stream without inter_model")
        }
    }

    /// Decodes the next frame unit (frames must come in stream order) to RGB planes of the
    /// output size, and makes it the reference.
    public func decode(_ unit: FrameUnit) throws -> RGBPlanes {
        try intra.parameters.check(unit, file: file)
        let rgb: RGBPlanes
        switch unit.type {
        case .intra:
            rgb = try intra.decodeRGB(unit)
            if inter != nil { reference = ReferenceFrame.make(rgb) }
        case .inter:
            guard let inter, let ref = reference else {
                throw CodecError(file: file, frame: unit.index, "P-frame without a preceding I-frame")
            }
            let p = intra.parameters
            rgb = FramePadding.cropped(try inter.decode(unit, reference: ref), width: p.width, height: p.height)
            reference = ReferenceFrame.make(rgb)
        }
        return rgb
    }
}
