import Foundation

/// Rate-distortion-optimised choice of an I-frame's RVQ codes (encoder only: the stream syntax and
/// the decoder are unchanged, any choice of codes is a valid stream).
///
/// Greedy RVQ takes the nearest codeword of the running residual at each level. The search
/// instead keeps a beam of paths per latent position and minimises
/// `|latent − Σ codewords|² + λ · bits`, the bits of each code taken from the stream's index
/// model (`IndexRateTable`) evaluated on the current codes. Round 1 starts from the greedy codes;
/// each further round re-evaluates the bits on the codes of the round before.
public struct RDSearch: Sendable, Equatable {
    /// Paths kept per latent position (1: a single path, each level re-chosen with the rate term).
    public var beam: Int
    /// Multiplier on the frame's λ (`lambda(energies:levels:codebookSize:)`); 0 searches on
    /// distortion alone (no index model is run).
    public var lambdaScale: Double
    /// Search rounds (0: the greedy codes).
    public var iterations: Int
    /// After the rounds, decode the searched and the greedy codes and keep, per position, the
    /// ones whose pixel block costs less (`RDDecoderCheck`).
    public var decoderCheck: Bool

    public init(beam: Int, lambdaScale: Double = 1, iterations: Int = 1, decoderCheck: Bool = false) {
        precondition(beam >= 1 && lambdaScale >= 0 && iterations >= 0)
        self.beam = beam; self.lambdaScale = lambdaScale; self.iterations = iterations; self.decoderCheck = decoderCheck
    }

    /// λ for a frame sent with `levels` levels, tied to the rate that `levels` sets: the slope of
    /// the frame's greedy distortion-rate ladder at that point, each level priced at log2 K bits
    /// per index. `energies[l]` is the mean squared greedy residual after `l` levels (entry 0 the
    /// latent's own, `levels` + 1 entries, or `levels` + 2 when a next level exists). The slope
    /// is the geometric mean of the slopes of the segments to the previous and to the next level
    /// (the previous alone at the last level): any λ between them keeps `levels` the best
    /// whole-level point, the middle one trades bits for error at the rate the ladder does there.
    public func lambda(energies: [Double], levels: Int, codebookSize: Int) -> Double {
        precondition(levels >= 1 && energies.count >= levels + 1)
        let bitsPerLevel = Foundation.log2(Double(codebookSize))
        let before = max(0, energies[levels - 1] - energies[levels]) / bitsPerLevel
        var slope = before
        if energies.count > levels + 1 {
            let after = max(0, energies[levels] - energies[levels + 1]) / bitsPerLevel
            slope = (before * after).squareRoot()
        }
        return lambdaScale * slope
    }
}
