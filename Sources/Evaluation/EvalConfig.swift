import Foundation

/// A rate-distortion experiment as a JSON file describes it (schema in docs/evaluation.md).
///
/// Paths inside a config (datasets, output, LPIPS weights) are used as written: relative paths
/// are relative to the current directory, and the configs in `eval/` are written to be run from
/// the repository root.
public struct EvalConfig: Sendable, Equatable {
    /// The experiment's name (titles of the report and plots).
    public var name: String
    /// One line saying what the experiment asks.
    public var description: String?
    /// The directory results, plots and the report go to (created if missing).
    public var output: String
    /// Frames coded from the start of each video (fewer if the video is shorter).
    public var frames: Int
    /// Frames between I-frames (1: all intra); a method may override it.
    public var intraPeriod: Int
    /// Video files or directories of videos, as written in the config.
    public var datasets: [String]
    /// The method BD-rate is measured against (a method's name), if any.
    public var anchor: String?
    /// Further methods the report measures BD figures against, each in sections of its own
    /// (e.g. our all-intra codec beside x265), in the config's order.
    public var extraAnchors: [String] = []
    /// Which of SSIM, MS-SSIM, LPIPS and FID to measure (PSNR is always measured).
    public var metrics: Set<Metric>
    /// Worker threads for `dcvc-enc`/`dcvc-dec` (nil: their default, all cores).
    public var threads: Int?
    /// The LPIPS weight file (nil: `LPIPSModel.defaultPath(dataDir: "data")`).
    public var lpipsWeights: String?
    /// The FID Inception weight file (nil: `FIDInception.defaultPath(dataDir: "data")`).
    public var fidWeights: String? = nil
    /// Only points at or below this rate (bits per pixel) enter the BD figures (nil: every
    /// point); the plots and the table of points keep them all.
    public var bdMaxBpp: Double? = nil
    /// The codecs and their rate points, in the config's order.
    public var methods: [EvalMethod]
    /// The file this config was read from (for error messages and the report).
    public var path: String

    /// The quality metrics a config can ask for.
    public enum Metric: String, CaseIterable, Sendable, Comparable {
        /// FID/256 is a set metric: one value per row, over all the patches of the row's frames.
        case psnr, ssim, msssim, lpips, fid
        public static func < (a: Metric, b: Metric) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }

        /// What a config without `metrics` measures: all but FID, which is asked for by name (an
        /// Inception-v3 pass per 256x256 patch costs more than the other metrics together).
        public static let defaults: [Metric] = [.psnr, .ssim, .msssim, .lpips]
    }

    /// Every method BD figures are measured against: the anchor first, then the extra anchors.
    public var anchors: [String] { (anchor.map { [$0] } ?? []) + extraAnchors }

    /// The anchor's method, if the config names one.
    public var anchorMethod: EvalMethod? { anchor.flatMap { a in methods.first { $0.name == a } } }
}

/// One codec of an experiment with its rate points.
public struct EvalMethod: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        /// Our codec, through the `dcvc-enc` and `dcvc-dec` executables.
        case dcvc
        /// libx265 in-process through libavcodec.
        case x265
        /// libx264 in-process through libavcodec.
        case x264
    }

    /// Unique within the config; names curves, rows and legend entries.
    public var name: String
    public var kind: Kind
    /// This method's intra period (the config's unless the method sets its own).
    public var intraPeriod: Int
    /// `dcvc`: options given to `dcvc-enc` for every point.
    public var args: [String]
    /// The rate points, in the config's order.
    public var points: [EvalPoint]
    /// x265/x264: the encoder preset and tune.
    public var preset: String
    public var tune: String
    /// x265/x264: extra `x265-params`/`x264-params` (`key=value:key=value`), if any.
    public var params: String?
}

/// One rate point of a method.
public struct EvalPoint: Sendable, Equatable {
    /// Unique within its method (`L2`, `crf27`).
    public var label: String
    /// `dcvc`: options added to the method's for this point.
    public var args: [String]
    /// x265/x264: the constant rate factor.
    public var crf: Double?
}

/// A config that cannot be used: the file, the key (`methods[1].crf`) and why.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var key: String?
    public var reason: String
    public init(file: String, key: String?, _ reason: String) {
        self.file = file; self.key = key; self.reason = reason
    }
    public var description: String { [file, key, reason].compactMap { $0 }.joined(separator: ": ") }
}
