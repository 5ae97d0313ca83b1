import Foundation
import Media

/// One video of an experiment.
public struct EvalVideo: Sendable, Equatable {
    /// The path as the config gives it (or joined onto its directory).
    public var path: String
    /// The short name used in tables and plots.
    public var clip: String
}

/// File name extensions taken as videos when a dataset entry is a directory.
let videoExtensions: Set<String> = ["mp4", "mkv", "avi", "mov", "webm", "y4m", "m4v", "mpg", "mpeg", "ts", "hevc", "h264", "264", "265", "ivf"]

extension EvalConfig {
    /// The videos of the config's datasets: files as given, directories expanded to the video
    /// files directly inside them (sorted by name). A missing path is an error naming the key.
    public func videos() throws -> [EvalVideo] {
        let fm = FileManager.default
        var paths: [String] = []
        for (i, entry) in datasets.enumerated() {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: entry, isDirectory: &isDir) else {
                throw ConfigError(file: path, key: "datasets[\(i)]", "\(entry) does not exist (relative paths are from the current directory; `make data` fetches data/)")
            }
            if isDir.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: entry)) ?? []).sorted()
                    .filter { videoExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                guard !names.isEmpty else { throw ConfigError(file: path, key: "datasets[\(i)]", "\(entry) holds no video files") }
                paths += names.map { (entry as NSString).appendingPathComponent($0) }
            } else {
                paths.append(entry)
            }
        }
        var seen = Set<String>()
        paths = paths.filter { seen.insert($0).inserted }
        let stems = paths.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        return zip(paths, stems).map { p, stem in
            // Two files with one name in different folders keep their full paths as names.
            EvalVideo(path: p, clip: stems.filter { $0 == stem }.count > 1 ? p : stem)
        }
    }
}

/// The first frames of a source video, held for the whole video's points (read once).
public struct SourceClip {
    public var video: EvalVideo
    public var frames: [VideoFrame]
    public var frameRate: FrameRate
    public var width: Int { frames[0].width }
    public var height: Int { frames[0].height }

    /// Reads up to `maxFrames` frames. 4:4:4 sources are converted to 4:2:0 (through RGB, the
    /// way the codec sees them), since every method is measured in 4:2:0.
    public init(video: EvalVideo, maxFrames: Int) throws {
        self.video = video
        let source = try openVideo(path: video.path, maxFrames: maxFrames)
        frameRate = source.frameRate
        var frames: [VideoFrame] = []
        while let f = try source.nextFrame() {
            if f.format == .yuv420p {
                frames.append(f)
            } else {
                let color = ColorConversion.resolvedColor(of: f)
                frames.append(ColorConversion.toYUV420(ColorConversion.toRGB(f, color: color), matrix: color.matrix,
                                                       range: color.range, frameRate: f.frameRate, index: f.index))
            }
        }
        guard !frames.isEmpty else { throw EvaluationError("\(video.path): no frames") }
        self.frames = frames
    }
}
