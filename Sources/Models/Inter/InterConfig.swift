import Foundation
import Tensor

/// The architecture of the DCVC P-frame model (a lean DCVC): everything needed to rebuild the
/// network and read its weights. Stored as JSON in checkpoints and in the shipped `.safetensors`.
public struct InterConfig: Codable, Equatable, Sendable {
    /// Channels of the motion net's hidden convs (same at every pyramid level).
    public var motionChannels: [Int]
    /// Pyramid levels of the motion net; the coarsest runs at 1/2^levels, the finest at 1/2.
    public var motionLevels: Int
    /// Hidden channels of the MV encoder/decoder and the MV latent channels (at 1/16).
    public var mvHidden: Int
    public var mvLatent: Int
    /// MV hyper-latent channels (at 1/64).
    public var mvHyper: Int
    /// Feature/context channels at 1/2 resolution (also the MV decoder's last width, in both modes).
    public var contextChannels: Int
    /// Frame (residual mode: residual) latent channels (at 1/16) and hyper-latent channels (at 1/64).
    public var latent: Int
    public var hyper: Int
    /// Width of the frame generator at 1/2 resolution (residual mode: of the MC net, the residual
    /// encoder's first convs and the residual decoder's last).
    public var generatorChannels: Int
    /// The rate points, as lambda in lambda * MSE + bpp; one gain row each.
    public var lambdas: [Int]
    /// Whether the context also carries the reference frame itself, warped at full resolution by
    /// the decoded flow (12 channels at 1/2 after unshuffle). Warping the 1/2-resolution features
    /// cannot shift detail by an odd number of pixels, so without it every P-frame re-sends the
    /// reference's fine detail. Absent (older models): false. Conditional mode only (the residual
    /// mode's prediction is the warped reference itself).
    public var warpedReference: Bool?
    /// How the frame is coded over the motion path: conditioned on a feature-domain context (DCVC)
    /// or as the residual from a pixel-domain motion-compensated prediction (DVC). Absent: conditional.
    public var mode: InterMode?

    /// Whether the context ends with the warped reference's 12 channels.
    public var usesWarpedReference: Bool { warpedReference ?? false }
    /// Channels of the context: the features, then the warped reference if used.
    public var contextOutputChannels: Int { contextChannels + (usesWarpedReference ? 12 : 0) }
    /// The coding mode (absent: conditional).
    public var codingMode: InterMode { mode ?? .conditional }
    /// Whether the frame is coded as a residual (DVC).
    public var isResidual: Bool { codingMode == .residual }

    public init(motionChannels: [Int] = [32, 64, 32], motionLevels: Int = 3, mvHidden: Int = 64, mvLatent: Int = 64,
                mvHyper: Int = 32, contextChannels: Int = 32, latent: Int = 96, hyper: Int = 64,
                generatorChannels: Int = 48, lambdas: [Int] = [256, 512, 1024, 2048], warpedReference: Bool? = true,
                mode: InterMode? = nil) {
        self.motionChannels = motionChannels; self.motionLevels = motionLevels; self.mvHidden = mvHidden
        self.mvLatent = mvLatent; self.mvHyper = mvHyper; self.contextChannels = contextChannels
        self.latent = latent; self.hyper = hyper; self.generatorChannels = generatorChannels; self.lambdas = lambdas
        self.warpedReference = warpedReference; self.mode = mode
    }

    /// A very small model for tests.
    public static let tiny = InterConfig(motionChannels: [8], motionLevels: 2, mvHidden: 8, mvLatent: 8, mvHyper: 4,
                                         contextChannels: 8, latent: 8, hyper: 4, generatorChannels: 8, lambdas: [256, 2048])

    /// The tiny model in residual mode.
    public static let tinyResidual: InterConfig = { var c = tiny; c.mode = .residual; return c }()

    /// Frame sides must be multiples of this (the hyper-latents sit at 1/64).
    public static let multiple = 64

    /// Index of the rate point with lambda `lambda`.
    public func rateIndex(lambda: Int) -> Int? { lambdas.firstIndex(of: lambda) }

    /// Checks the ranges the codec supports.
    public func validate() throws {
        func bad(_ r: String) -> InterConfigError { InterConfigError(reason: r) }
        let widths = motionChannels + [mvHidden, mvLatent, mvHyper, contextChannels, latent, hyper, generatorChannels]
        guard !motionChannels.isEmpty, widths.allSatisfy({ (1...1024).contains($0) }) else { throw bad("channel widths \(widths)") }
        guard (1...5).contains(motionLevels) else { throw bad("motion levels \(motionLevels) (1...5)") }
        guard !lambdas.isEmpty, lambdas.count <= 16, lambdas.allSatisfy({ $0 > 0 }) else { throw bad("lambdas \(lambdas)") }
    }

    /// JSON text of the configuration (sorted keys, stable).
    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try! enc.encode(self), as: UTF8.self)
    }

    /// Parses and validates `json`.
    /// The configuration a weight file or checkpoint stores under `InterDecoder.configKey`.
    public static func stored(in file: SafeTensorsFile, path: String) throws -> InterConfig {
        guard let json = file.metadata[InterDecoder.configKey] else {
            throw SafeTensorsError.malformed(path: path, reason: "no \(InterDecoder.configKey) in __metadata__")
        }
        return try parse(json: json)
    }

    public static func parse(json: String) throws -> InterConfig {
        let c = try JSONDecoder().decode(InterConfig.self, from: Data(json.utf8))
        try c.validate()
        return c
    }
}

/// How an inter model codes the frame over its motion path.
public enum InterMode: String, Codable, Sendable, CaseIterable {
    /// DCVC: the frame is coded conditioned on a feature-domain temporal context.
    case conditional
    /// DVC: the residual from a motion-compensated pixel-domain prediction is coded with a
    /// hyperprior autoencoder; the frame is the prediction plus the decoded residual.
    case residual
}

/// An invalid inter-model configuration.
public struct InterConfigError: Error, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "invalid inter configuration: \(reason)" }
}
