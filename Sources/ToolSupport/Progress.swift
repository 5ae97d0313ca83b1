import Foundation

/// A one-line progress display on stderr: frames, fps, kb/s and ETA, redrawn in place.
///
/// It draws only when enabled (stderr is a terminal, or the user asked with `--progress`) and at
/// most a few times a second, so it costs nothing measurable on the frame loop.
public final class ProgressLine {
    private let enabled: Bool
    private let total: Int?
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let fps: Double
    private var drewSomething = false
    private var last = (frames: 0, bytes: 0)

    /// - Parameters:
    ///   - total: the number of frames expected, if known (for the percentage and ETA).
    ///   - frameRate: the video's frame rate, to turn bytes into kb/s of playback.
    ///   - force: draw even when stderr is not a terminal.
    public init(total: Int?, frameRate: Double, force: Bool) {
        self.total = total
        self.fps = frameRate > 0 ? frameRate : 25
        self.enabled = force || isatty(STDERR_FILENO) != 0
    }

    /// Reports that `frames` frames and `bytes` bytes are done.
    public func update(frames: Int, bytes: Int, force: Bool = false) {
        guard enabled else { return }
        last = (frames, bytes)
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 || frames == total else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let speed = Double(frames) / elapsed
        let kbps = frames > 0 ? Double(bytes) * 8 / 1000 / (Double(frames) / fps) : 0
        var line = "frame \(frames)"
        if let total { line += "/\(total)" }
        line += String(format: "  %.2f fps  %.1f kb/s", speed, kbps)
        if let total, speed > 0, frames < total {
            line += "  ETA " + ProgressLine.clock(Double(total - frames) / speed)
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drewSomething = true
    }

    /// Ends the progress line so the summary starts on a fresh line.
    public func finish() {
        if drewSomething {
            update(frames: last.frames, bytes: last.bytes, force: true)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        drewSomething = false
    }

    /// Seconds as m:ss or h:mm:ss.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Writes a line to standard error.
public func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
