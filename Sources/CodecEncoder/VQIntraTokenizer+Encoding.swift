import Codec
import Models
import ModelsTraining
import Tensor

/// The VQGAN encoder and greedy RVQ (training kernels) as the codec's analysis transform.
extension VQIntraTokenizer: IntraEncodingTokenizer {
    public func encode(_ image: Tensor, levels: Int, threads: Int) throws -> IndexPlanes {
        let h = image.shape[2] / downsampling, w = image.shape[3] / downsampling
        let planes = model.encode(image, levels: levels).map { $0.map(Int32.init) }
        return IndexPlanes(width: w, height: h, planes: planes)
    }
}

/// The RVQ codes chosen by beam search over the levels (`ResidualQuantizer.searchRD`), λ from the
/// frame's greedy ladder (`RDSearch.lambda`), rates from the current codes, round after round.
extension VQIntraTokenizer: RDSearchTokenizer {
    public func encode(_ image: Tensor, levels: Int, threads: Int, search: RDSearch,
                       rate: (IndexPlanes) throws -> [[Float]]) throws -> IndexPlanes {
        let h = image.shape[2] / downsampling, w = image.shape[3] / downsampling
        let rows = model.latentRows(image)
        let q = model.quantizer
        func planes(_ codes: [[Int]]) -> IndexPlanes { IndexPlanes(width: w, height: h, planes: codes.map { $0.map(Int32.init) }) }
        let greedy = q.encode(rows: rows, levels: levels).indices
        guard search.iterations > 0 else { return planes(greedy) }
        let energies = q.greedyResidualEnergies(rows: rows, levels: min(levels + 1, maxLevels))
        let lambda = search.lambda(energies: energies, levels: levels, codebookSize: codebookSize)
        var codes = greedy, bits: [[Float]]? = nil
        for _ in 0..<search.iterations {
            bits = lambda > 0 ? try rate(planes(codes)) : nil
            codes = q.searchRD(rows: rows, levels: levels, beam: search.beam, lambda: Float(lambda), bits: bits, threads: threads)
        }
        guard search.decoderCheck else { return planes(codes) }
        let table = try bits ?? rate(planes(codes))
        return try RDDecoderCheck.merge(image: image, greedy: planes(greedy), searched: planes(codes), bits: table,
                                        codebookSize: codebookSize, latentLambda: lambda, greedyLatentError: energies[levels]) {
            try self.decode($0, threads: threads)
        }
    }
}
