import Bitstream
import Codec
import Foundation
import Media

/// Where one all-intra RVQ frame's decoding time goes, measured by running the decoder's own
/// public stages one by one (the calls `StreamDecoder.nextFrame` makes, in its order) with a
/// clock around each: nothing in the decoder changes, and the frames are checked to equal
/// `StreamDecoder`'s.
struct DecodeStages {
    /// Seconds summed over the frames of one pass.
    struct Times {
        /// `ContainerReader.nextFrame`: unit parsing and its CRC.
        var container = 0.0
        /// The index prior's network (its logits, and gathering each index's logits).
        var priorNetwork = 0.0
        /// Entropy decoding: the integer softmax of each index's logits and the rANS decoder
        /// (with no prior: the uniform or adaptive table decoder).
        var entropy = 0.0
        /// The tokenizer's synthesis: indices to codebook vectors to pixels (the conv network).
        var synthesis = 0.0
        /// Cropping the padded frame and the integer RGB to YUV 4:2:0 output conversion.
        var output = 0.0
        /// Wall time of the whole pass, frame by frame (the stages and the glue between them).
        var total = 0.0

        var stageSum: Double { container + priorNetwork + entropy + synthesis + output }
    }

    /// Decodes every frame of `stream` stage by stage with the models `decoder` loaded, and
    /// checks each frame against `expected` (what `StreamDecoder` returned).
    static func measure(stream: [UInt8], decoder: StreamDecoder, threads: Int, expected: [VideoFrame]) throws -> Times {
        guard let tokenizer = decoder.tokenizer else {
            throw BenchFailure("decode stages: the stream's intra model \(decoder.intraModel.modelName) is not an RVQ tokenizer")
        }
        let reader = try ContainerReader(bytes: stream, name: "<bench stream>")
        let timedPrior = decoder.prior.map(TimedPrior.init)
        let intra = try IntraStreamDecoder(header: reader.header, tokenizer: tokenizer, prior: timedPrior,
                                           file: "<bench stream>", threads: threads)
        var t = Times()
        var frames = 0
        while true {
            let start = now()
            guard let unit = try reader.nextFrame() else { break }
            let t0 = now()
            guard unit.type == .intra else { throw BenchFailure("decode stages: frame \(unit.index) is not an I-frame") }
            timedPrior?.reset()
            let indices = try intra.indices(of: unit)
            let t1 = now()
            let image = try tokenizer.decode(indices, threads: threads)
            let t2 = now()
            let frame = intra.output(FramePadding.cropped(image, width: reader.header.width, height: reader.header.height),
                                     index: unit.index)
            let t3 = now()
            t.container += t0 - start
            let coding = t1 - t0
            if let timedPrior {
                t.entropy += timedPrior.callbackSeconds
                t.priorNetwork += coding - timedPrior.callbackSeconds
            } else {
                t.entropy += coding
            }
            t.synthesis += t2 - t1
            t.output += t3 - t2
            t.total += t3 - start
            guard frames < expected.count, frame == expected[frames] else {
                throw BenchFailure("decode stages: frame \(unit.index) differs from StreamDecoder's")
            }
            frames += 1
        }
        guard frames == expected.count else {
            throw BenchFailure("decode stages: \(frames) frames, StreamDecoder returned \(expected.count)")
        }
        return t
    }
}

/// An index prior that forwards to `base` and clocks the time spent in the coder's callback
/// (the softmax and rANS decoding of each index), so the rest of `code` is the prior's network.
/// Same name, weights and logits: the decoder cannot tell it from `base`.
final class TimedPrior: IndexPrior {
    let base: IndexPrior
    /// Seconds inside the callback since the last `reset()`.
    private(set) var callbackSeconds = 0.0

    init(_ base: IndexPrior) { self.base = base }

    var name: String { base.name }
    var weightRef: WeightRef { base.weightRef }
    var codebookSize: Int { base.codebookSize }
    var levels: Int { base.levels }
    var temporal: Bool { base.temporal }

    func reset() { callbackSeconds = 0 }

    func code(level: Int, width: Int, height: Int, lower: [[Int32]], previous: [Int32]?, threads: Int,
              _ code: (_ position: Int, _ logits: UnsafeBufferPointer<Float>) throws -> Int32) throws -> [Int32] {
        try base.code(level: level, width: width, height: height, lower: lower, previous: previous,
                      threads: threads) { position, logits in
            let t0 = now()
            defer { callbackSeconds += now() - t0 }
            return try code(position, logits)
        }
    }
}

/// A benchmark that could not measure what it was asked to, and why.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
