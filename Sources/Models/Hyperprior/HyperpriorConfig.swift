import Foundation

/// The architecture of the mean-scale hyperprior intra codec (Minnen et al. 2018 without the
/// autoregressive context, CompressAI's `mbt2018-mean` family, sized for CPUs): everything needed
/// to rebuild the network and read its weights. Stored as JSON in checkpoints and in the shipped
/// `.safetensors`.
public struct HyperpriorConfig: Codable, Equatable, Sendable {
    /// Width N of the analysis and synthesis transforms at 1/4 and 1/8.
    public var channels: Int
    /// Width at 1/2 resolution (the costliest place per channel, so narrower).
    public var fineChannels: Int
    /// Residual blocks at 1/2 resolution in the analysis and in the synthesis transform.
    public var residualBlocks: Int
    /// Latent channels M (at 1/16); also the hidden width of the hyper transforms.
    public var latent: Int
    /// Hyper-latent channels (at 1/64).
    public var hyper: Int
    /// The rate points, as lambda in lambda * MSE + bpp; one gain row each.
    public var lambdas: [Int]

    public init(channels: Int = 96, fineChannels: Int = 48, residualBlocks: Int = 1, latent: Int = 128, hyper: Int = 64,
                lambdas: [Int] = [256, 512, 1024, 2048]) {
        self.channels = channels; self.fineChannels = fineChannels; self.residualBlocks = residualBlocks
        self.latent = latent; self.hyper = hyper; self.lambdas = lambdas
    }

    /// A very small model for tests.
    public static let tiny = HyperpriorConfig(channels: 8, fineChannels: 8, residualBlocks: 1, latent: 8, hyper: 4,
                                              lambdas: [256, 2048])

    /// Image sides must be multiples of this (the hyper-latents sit at 1/64).
    public static let multiple = 64

    /// Index of the rate point with lambda `lambda`.
    public func rateIndex(lambda: Int) -> Int? { lambdas.firstIndex(of: lambda) }

    /// Checks the ranges the codec supports.
    public func validate() throws {
        func bad(_ r: String) -> HyperpriorConfigError { HyperpriorConfigError(reason: r) }
        let widths = [channels, fineChannels, latent, hyper]
        guard widths.allSatisfy({ (1...1024).contains($0) }) else { throw bad("channel widths \(widths)") }
        guard (0...8).contains(residualBlocks) else { throw bad("residual blocks \(residualBlocks) (0...8)") }
        guard !lambdas.isEmpty, lambdas.count <= 16, lambdas.allSatisfy({ $0 > 0 }), Set(lambdas).count == lambdas.count else {
            throw bad("lambdas \(lambdas)")
        }
    }

    /// JSON text of the configuration (sorted keys, stable).
    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try! enc.encode(self), as: UTF8.self)
    }

    /// Parses and validates `json`.
    public static func parse(json: String) throws -> HyperpriorConfig {
        let c: HyperpriorConfig
        do { c = try JSONDecoder().decode(HyperpriorConfig.self, from: Data(json.utf8)) } catch {
            throw HyperpriorConfigError(reason: "unreadable configuration JSON (\(error)): \(json.prefix(200))")
        }
        try c.validate()
        return c
    }
}

/// An invalid hyperprior-model configuration.
public struct HyperpriorConfigError: Error, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "invalid hyperprior configuration: \(reason)" }
}
