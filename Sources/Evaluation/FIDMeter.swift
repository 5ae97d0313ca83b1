import Media

/// The source side of FID/256 for one video: the statistics of its frames' patches, computed
/// once and compared with every method and rate point (`FIDMeter`).
public struct FIDSource {
    public let reference: FrechetReference
    /// Patches the statistics are over.
    public let patches: Int

    /// Features of every patch of `frames`, converted to RGB with their own colour metadata.
    ///
    /// - Throws: `EvaluationError` when the frames have no 256x256 patch (a side under 256) or
    ///   fewer than 2 in all; a `LinearAlgebraError` if the eigendecomposition fails.
    public init(frames: [VideoFrame], model: FIDInception) throws {
        var features: [Float] = []
        for f in frames {
            let rgb = ColorConversion.toRGB(f, color: ColorConversion.resolvedColor(of: f))
            features += model.features(FIDPatches.patches(of: rgb))
        }
        patches = features.count / FIDInception.featureCount
        if patches == 0, let f = frames.first {
            throw EvaluationError("FID/256: \(f.width)x\(f.height) frames are smaller than its "
                                  + "\(FIDPatches.size)x\(FIDPatches.size) patches")
        }
        reference = try FrechetReference(GaussianStatistics(features: features, dimension: FIDInception.featureCount))
    }
}

/// FID/256 of one decoded sequence: the decoded frames' patch features accumulate frame by
/// frame; `distance()` compares their Gaussian with the source's. A set metric: one value for
/// the whole sequence, not a mean of per-frame values.
public struct FIDMeter {
    let model: FIDInception
    public let source: FIDSource
    private var features: [Float] = []

    public init(model: FIDInception, source: FIDSource) {
        self.model = model
        self.source = source
    }

    /// Adds one decoded frame (RGB) as its patches.
    public mutating func add(_ decoded: RGBPlanes) {
        features += model.features(FIDPatches.patches(of: decoded))
    }

    /// Decoded patches so far.
    public var patches: Int { features.count / FIDInception.featureCount }

    /// The FID of the decoded patches against the source's (an eigendecomposition of a 2048x2048
    /// matrix: about a second).
    public func distance() throws -> Double {
        guard patches == source.patches else {
            throw EvaluationError("FID/256: \(patches) decoded patches for \(source.patches) source patches")
        }
        return try source.reference.distance(to: GaussianStatistics(features: features, dimension: FIDInception.featureCount))
    }
}
