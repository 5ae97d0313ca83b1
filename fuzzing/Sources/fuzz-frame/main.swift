import Bitstream
import Codec
import Foundation
import FuzzSupport
import Media

/// The intra decode path over arbitrary `.dcv` bytes (CRCs repaired first): container, the
/// header check (`StreamParameters.validated`, frame-size limit included), the models the header
/// names (`ModelRegistry`, name checked against weight metadata), every frame unit's syntax, the
/// index substreams in every mode (uniform, adaptive, mode 2 through the shipped priors
/// ctx-f8, ctx-f16 and tf-f8, mode 3 through ctx-f8-temporal after the first I-frame),
/// synthesis and the YUV output; for a hyperprior stream
/// (spec/hyperprior.md, when its weights are installed) the two substreams, the prior and, within
/// the synthesis limit, the synthesis. Any input must decode or throw.
///
/// This is `StreamDecoder`'s path with one difference: weights come from the shipped files read
/// once per process, matched by SHA-256, and the models built from them are kept, instead of a
/// `WeightStore` reading and hashing them on every execution.
///
/// Under ASan, synthesis costs 70 ms for an 8x8 frame and 250 ms for 32x32, and a prior-coded
/// level of a 6x6 grid 0.3 s. So the frame-size limit is small (`maxPixels`), and frames go on past
/// the index planes to synthesis and YUV output only up to `FUZZ_SYNTHESIS_PIXELS` pixels
/// (default 0: none; the index planes are where the stream's bytes are parsed, synthesis only
/// sees indices already checked to lie in the codebook).
let maxPixels = 48 * 48
let maxSynthesisPixels = ProcessInfo.processInfo.environment["FUZZ_SYNTHESIS_PIXELS"].flatMap { Int($0) } ?? 0

/// The shipped weight files, read once. An entry whose weights are not trained yet (the hyperprior
/// intra model until `weights/intra-hyperprior.safetensors` exists) has none: its streams stop at
/// the weight lookup.
let weights: [WeightFile] = ModelRegistry.entries.compactMap {
    let path = FuzzInput.repositoryRoot + "/weights/" + $0.fileName
    return FileManager.default.fileExists(atPath: path) ? try! WeightFile(path: path) : nil
}

/// Models built so far, by entry name and weight digest (and, for priors, the tokenizer's).
var models: [String: AnyObject] = [:]

func weightFile(_ ref: WeightRef) throws -> WeightFile {
    guard let f = weights.first(where: { $0.ref.sha256 == ref.sha256 }) else {
        throw CodecError(file: ref.name, "no shipped weight file with this SHA-256")
    }
    return f
}

func cached<T>(_ key: String, _ make: () throws -> T) throws -> T {
    if let m = models[key] as? T { return m }
    let m = try make()
    models[key] = m as AnyObject
    return m
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = ContainerRepair.repaired(FuzzInput.bytes(data, size))
    do {
        let reader = try ContainerReader(bytes: bytes, name: "fuzz")
        let p = try StreamParameters.validated(reader.header, file: "fuzz", maxPixels: maxPixels)
        let modelEntry = try ModelRegistry.entry(p.model, kind: .intraModel, file: "fuzz")
        if modelEntry.isHyperprior {
            let model: HyperpriorIntraModel = try cached("\(p.model) \(p.modelWeights.sha256)") {
                try ModelRegistry.hyperprior(modelEntry, file: try weightFile(p.modelWeights), threads: 1)
            }
            // The hyper-latents and latents (the substreams' bytes) always; synthesis and output as
            // for the RVQ path, up to `maxSynthesisPixels`. P-frames end the input (fuzz-frame is
            // the intra path).
            let decoder = try IntraStreamDecoder(header: reader.header, model: .hyperprior(model), file: "fuzz", threads: 1)
            let symbols = try HyperpriorFrameDecoder(model: model, ratePoint: p.hyperprior!.ratePoint, width: p.width,
                                                     height: p.height, file: "fuzz")
            while let unit = try reader.nextFrame(), unit.type == .intra {
                if p.width * p.height <= maxSynthesisPixels {
                    let frame = try decoder.decode(unit)
                    fuzzCheck(frame.width == p.width && frame.height == p.height, "output size")
                } else {
                    try p.check(unit, file: "fuzz")
                    let s = try symbols.symbols(of: unit)
                    fuzzCheck(s.qy.shape == s.mean.shape, "latent shape")
                }
            }
            return 0
        }
        let tokenizer: IntraTokenizer = try cached("\(p.model) \(p.modelWeights.sha256)") {
            try ModelRegistry.tokenizer(modelEntry, file: try weightFile(p.modelWeights))
        }
        var prior: IndexPrior?
        if let name = p.indexPrior, let ref = p.priorWeights {
            let entry = try ModelRegistry.entry(name, kind: .indexPrior, file: "fuzz")
            prior = try cached("\(name) \(ref.sha256) \(p.modelWeights.sha256)") {
                try ModelRegistry.prior(entry, file: try weightFile(ref), for: tokenizer)
            }
        }
        let decoder = try IntraStreamDecoder(header: reader.header, tokenizer: tokenizer, prior: prior,
                                             file: "fuzz", threads: 1)
        while let unit = try reader.nextFrame() {
            if p.width * p.height <= maxSynthesisPixels {
                let frame = try decoder.decode(unit)
                fuzzCheck(frame.width == p.width && frame.height == p.height, "output size")
            } else {
                let planes = try decoder.indices(of: unit)
                fuzzCheck(planes.levels == p.levels, "levels decoded")
            }
        }
    } catch is ContainerError {
    } catch is CodecError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
