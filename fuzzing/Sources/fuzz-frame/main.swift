import Bitstream
import Codec
import FuzzSupport
import Media

/// The intra decode path over arbitrary `.dcv` bytes (CRCs repaired first): container, header
/// checks, the index substreams in every mode (uniform, adaptive, and the shipped learned priors
/// for mode 2), synthesis and the YUV output conversion. Any input must decode or throw.
///
/// Models load once per process from weights/; the header picks one by name, as the registries
/// do (weight digests are not matched here: that is file lookup, not parsing). Frames larger
/// than `maxPixels` are skipped, so each execution stays in milliseconds.
let maxPixels = 96 * 96

let models: [String: IntraTokenizer] = {
    var m: [String: IntraTokenizer] = [:]
    for (name, entry) in IntraModelRegistry.models {
        let path = FuzzInput.repositoryRoot + "/weights/" + entry.file
        m[name] = try! entry.load(try! WeightFile(path: path))
    }
    return m
}()

let priors: [String: IndexPrior] = {
    var p: [String: IndexPrior] = [:]
    for (name, entry) in IndexPriorRegistry.priors {
        let path = FuzzInput.repositoryRoot + "/weights/" + entry.file
        p[name] = try! entry.load(try! WeightFile(path: path))
    }
    return p
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = ContainerRepair.repaired(FuzzInput.bytes(data, size))
    do {
        let reader = try ContainerReader(bytes: bytes, name: "fuzz")
        let header = reader.header
        guard header.width * header.height <= maxPixels,
              case .string(let modelName)? = header.tools["intra_model"], let tokenizer = models[modelName]
        else { return 0 }
        var prior: IndexPrior?
        if let tool = header.tools[IntraStreamSyntax.indexPriorKey] {
            guard case .string(let name) = tool, let p = priors[name] else { return 0 }
            prior = p
        }
        let decoder = try IntraStreamDecoder(header: header, tokenizer: tokenizer, prior: prior, file: "fuzz", threads: 1)
        while let unit = try reader.nextFrame() {
            let frame = try decoder.decode(unit)
            fuzzCheck(frame.width == header.width && frame.height == header.height, "output size")
        }
    } catch is ContainerError {
    } catch is CodecError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
