import Foundation
import Media

/// Where a run stands, for a progress display.
public struct EvalProgress: Sendable {
    public enum Phase: Sendable {
        /// The point is being coded and measured.
        case coding
        /// The point was measured (its row may hold an error).
        case measured(ResultRow)
        /// The results already had the point with the same settings.
        case reused(ResultRow)
    }
    /// 1-based position of the point in the plan, and the plan's size.
    public var index: Int, total: Int
    public var clip: String, method: String, point: String
    public var phase: Phase
}

/// Runs an experiment: codes every video with every method at every rate point, measures the
/// decoded frames, and writes results, plots and the report into the config's output directory.
///
/// Points whose rows are already in `results.json` with the same settings (and no error) are
/// not recomputed. The results files are rewritten after every point, so an interrupted run
/// loses at most the point in progress.
public final class EvalRunner {
    public let config: EvalConfig
    /// Recompute every point, ignoring stored rows.
    public var force = false
    /// Where `dcvc-enc` and `dcvc-dec` are (the running `dcvc-eval`'s directory).
    public var toolDirectory: String
    /// Called before and after each point.
    public var progress: (EvalProgress) -> Void = { _ in }
    /// Warnings for the user (printed once each).
    public var warn: (String) -> Void = { _ in }

    private var lpipsModel: LPIPSModel?
    private var lpipsTried = false
    private var fidModel: FIDInception?
    private var fidTried = false
    /// The source side of FID/256 of the last video measured (every method and point reuses it).
    private var fidSource: (path: String, result: Result<FIDSource, Error>)?
    private var warned = Set<String>()

    public init(config: EvalConfig, toolDirectory: String) {
        self.config = config
        self.toolDirectory = toolDirectory
    }

    /// The planned points, in order: videos, then methods, then rate points.
    struct PlannedPoint {
        var video: EvalVideo
        var method: EvalMethod
        var point: EvalPoint
        var coder: PointCoder
        var settings: String
        var key: ResultRow.Key { ResultRow.Key(video: video.path, method: method.name, point: point.label) }
        /// Our codec with P-frames: per-frame PSNR and frame sizes are recorded (drift).
        var recordsFrames: Bool { method.kind == .dcvc && method.intraPeriod > 1 }
    }

    func plan(_ videos: [EvalVideo], scratch: String) -> [PlannedPoint] {
        var out: [PlannedPoint] = []
        guard let probe = videos.first?.path else { return [] }
        let weights = CodecWeights(toolDirectory: toolDirectory, scratch: scratch, probe: probe)
        for v in videos {
            for m in config.methods {
                let coder: PointCoder = m.kind == .dcvc
                    ? DCVCMethod(method: m, threads: config.threads, toolDirectory: toolDirectory, weights: weights)
                    : BaselineCodec(method: m)
                for p in m.points {
                    out.append(PlannedPoint(video: v, method: m, point: p, coder: coder,
                                            settings: coder.settings(p, frames: config.frames)))
                }
            }
        }
        return out
    }

    /// The path of the LPIPS weights this config uses.
    public var lpipsPath: String { config.lpipsWeights ?? LPIPSModel.defaultPath(dataDir: "data") }

    private var lpipsWanted: Bool { config.metrics.contains(.lpips) }

    /// The path of the FID Inception weights this config uses.
    public var fidPath: String { config.fidWeights ?? FIDInception.defaultPath(dataDir: "data") }

    private var fidWanted: Bool { config.metrics.contains(.fid) }

    /// True when a stored row answers the planned point: same settings, no error, and every
    /// requested metric that can be measured now is present (LPIPS: once the model is loaded).
    func canReuse(_ row: ResultRow, for p: PlannedPoint) -> Bool {
        guard row.settings == p.settings, row.error == nil, row.psnrYUV != nil, row.psnrRGB != nil else { return false }
        if p.recordsFrames && row.perFrame == nil { return false }
        let unmeasured = row.unmeasured ?? [:]
        if config.metrics.contains(.ssim) && row.ssim == nil && unmeasured["ssim"] == nil { return false }
        if config.metrics.contains(.msssim) && row.msssim == nil && unmeasured["msssim"] == nil { return false }
        if lpipsWanted && row.lpips == nil && unmeasured["lpips"] == nil && lpipsModel != nil { return false }
        if fidWanted && row.fid == nil && unmeasured["fid"] == nil && fidModel != nil { return false }
        return true
    }

    /// Runs the plan, writes everything, and returns the table as written.
    @discardableResult
    public func run() throws -> ResultsTable {
        let videos = try config.videos()
        try FileManager.default.createDirectory(atPath: config.output, withIntermediateDirectories: true)
        let jsonPath = (config.output as NSString).appendingPathComponent("results.json")
        let stored = force ? ResultsTable() : try ResultsTable.load(json: jsonPath)
        let scratch = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("dcvc-eval-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        _ = loadLPIPS()  // before the reuse checks: a row lacks LPIPS only if it can be measured now
        _ = loadFID()
        let planned = plan(videos, scratch: scratch)
        var table = ResultsTable()
        // Rows of points still to run keep their stored values until replaced, so an
        // interrupted run leaves the earlier results in place.
        for p in planned { if let r = stored.row(p.key) { table.upsert(r) } }
        var source: (path: String, clip: Result<SourceClip, Error>)?
        for (i, p) in planned.enumerated() {
            var event = EvalProgress(index: i + 1, total: planned.count, clip: p.video.clip, method: p.method.name,
                                     point: p.point.label, phase: .coding)
            if let r = stored.row(p.key), canReuse(r, for: p) {
                event.phase = .reused(r)
                progress(event)
                continue
            }
            progress(event)
            if source?.path != p.video.path {
                source = (p.video.path, Result { try SourceClip(video: p.video, maxFrames: config.frames) })
            }
            let row = measure(p, source: source!.clip, scratch: scratch)
            table.upsert(row)
            try table.save(in: config.output, experiment: config.name, config: config.path)
            event.phase = .measured(row)
            progress(event)
        }
        // Keep exactly the planned rows, in plan order (rows of removed methods or videos go).
        let order = Dictionary(uniqueKeysWithValues: planned.enumerated().map { ($1.key, $0) })
        table.rows = table.rows.filter { order[$0.key] != nil }.sorted { order[$0.key]! < order[$1.key]! }
        try table.save(in: config.output, experiment: config.name, config: config.path)
        try writeReport(table)
        return table
    }

    /// Writes the plots and `report.md` for a table (also usable on stored results alone).
    public func writeReport(_ table: ResultsTable) throws {
        try FileManager.default.createDirectory(atPath: config.output, withIntermediateDirectories: true)
        var plots: [PlotMetric] = []
        for metric in PlotMetric.allCases {
            let path = (config.output as NSString).appendingPathComponent(metric.fileName)
            guard let svg = RDPlots.svg(table, metric: metric, methods: config.methods.map(\.name),
                                        title: config.name) else {
                try? FileManager.default.removeItem(atPath: path)  // a plot of an earlier run, now without data
                continue
            }
            try writeAtomically(Data(svg.utf8), to: path)
            plots.append(metric)
        }
        var driftPlots: [String: String] = [:]
        var clips: [String] = []
        for r in table.rows where !clips.contains(r.clip) { clips.append(r.clip) }
        for clip in clips {
            let name = DriftPlots.fileName(clip: clip)
            let path = (config.output as NSString).appendingPathComponent(name)
            guard let svg = DriftPlots.svg(table, clip: clip, title: config.name) else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            try writeAtomically(Data(svg.utf8), to: path)
            driftPlots[clip] = name
        }
        var report = Report(config: config, table: table, plots: plots, lpipsNote: lpipsNote)
        report.fidNote = fidNote
        report.driftPlots = driftPlots
        let text = report.markdown()
        try writeAtomically(Data(text.utf8), to: (config.output as NSString).appendingPathComponent("report.md"))
    }

    private var lpipsNote: String? {
        guard lpipsWanted else { return nil }
        return FileManager.default.fileExists(atPath: lpipsPath) ? nil : "LPIPS weights not found at \(lpipsPath): the LPIPS column is empty."
    }

    private var fidNote: String? {
        guard fidWanted else { return nil }
        return FileManager.default.fileExists(atPath: fidPath) ? nil : "FID Inception weights not found at \(fidPath): the FID column is empty."
    }

    /// Codes and measures one point; failures become the row's `error`.
    private func measure(_ p: PlannedPoint, source: Result<SourceClip, Error>, scratch: String) -> ResultRow {
        var row = ResultRow(video: p.video.path, clip: p.video.clip, width: 0, height: 0, frames: 0,
                            method: p.method.name, kind: p.method.kind.rawValue, point: p.point.label,
                            settings: p.settings)
        do {
            let clip = try source.get()
            row.width = clip.width
            row.height = clip.height
            row.frames = clip.frames.count
            let coded = try p.coder.code(clip, point: p.point, frames: config.frames, scratch: scratch)
            defer { try? FileManager.default.removeItem(atPath: coded.decodedPath) }
            row.bytes = coded.bytes
            row.bpp = Double(coded.bytes) * 8 / Double(clip.width * clip.height * clip.frames.count)
            row.encodeSeconds = coded.encodeSeconds
            row.decodeSeconds = coded.decodeSeconds
            row.encodePeakRSS = coded.encodePeakRSS
            row.decodePeakRSS = coded.decodePeakRSS
            let (q, errors) = try quality(of: coded.decodedPath, against: clip)
            if p.recordsFrames {
                guard let units = coded.frameUnits else { throw EvaluationError("the stream's frame sizes are unknown") }
                guard units.count == errors.count else {
                    throw EvaluationError("the stream has \(units.count) frame units, \(errors.count) frames were decoded")
                }
                row.perFrame = try FrameSeries(types: units.map(\.type), bytes: units.map(\.bytes),
                                               psnrY: errors.map { psnr(mse: $0.y) },
                                               psnrYUV: errors.map { psnr(mse: $0.yuv) }).validated(p.video.clip)
            }
            row.psnrRGB = q.psnrRGB; row.psnrYUV = q.psnrYUV
            row.psnrY = q.psnrY; row.psnrU = q.psnrU; row.psnrV = q.psnrV
            row.ssim = q.ssim; row.msssim = q.msssim; row.lpips = q.lpips
            row.fid = q.fid; row.fidPatches = q.fidPatches
            if !q.unmeasured.isEmpty {
                row.unmeasured = q.unmeasured
                for (metric, reason) in q.unmeasured.sorted(by: { $0.key < $1.key })
                where warned.insert("\(metric) \(p.video.path)").inserted {
                    warn("\(metric) not measured on \(p.video.clip): \(reason)")
                }
            }
        } catch {
            row.error = "\(error)"
            row.bytes = nil; row.bpp = nil; row.encodeSeconds = nil; row.decodeSeconds = nil
            row.encodePeakRSS = nil; row.decodePeakRSS = nil; row.perFrame = nil
        }
        return row
    }

    /// Reads the decoded frames back and compares them with the source, frame by frame.
    private func quality(of decodedPath: String, against clip: SourceClip) throws -> (QualitySummary, [PlaneErrors]) {
        var meter = QualityMeter(ssim: config.metrics.contains(.ssim), msssim: config.metrics.contains(.msssim),
                                 lpips: loadLPIPS(), fid: fidMeter(for: clip))
        let decoded = try openVideo(path: decodedPath)
        for (i, src) in clip.frames.enumerated() {
            guard let d = try decoded.nextFrame() else {
                throw EvaluationError("the decoded video has \(i) frames, the source \(clip.frames.count)")
            }
            do { try meter.add(source: src, decoded: d) } catch {
                throw EvaluationError("frame \(i): \(error)")
            }
        }
        return (meter.summary, meter.frameErrors)
    }

    /// A FID meter against `clip`'s source statistics (computed once per video), nil when FID is
    /// not measured, or the reason the source has none.
    private func fidMeter(for clip: SourceClip) -> Result<FIDMeter, Error>? {
        guard let model = loadFID() else { return nil }
        if fidSource?.path != clip.video.path {
            fidSource = (clip.video.path, Result { try FIDSource(frames: clip.frames, model: model) })
        }
        return fidSource!.result.map { FIDMeter(model: model, source: $0) }
    }

    /// The FID Inception, loaded on first use; a missing or unloadable file is warned about once.
    private func loadFID() -> FIDInception? {
        guard fidWanted else { return nil }
        return loadOnce(&fidTried, &fidModel, path: fidPath, name: "FID",
                        missing: "FID Inception weights not found at \(fidPath) (run `make fid`); the FID column stays empty",
                        load: FIDInception.init(path:))
    }

    /// The LPIPS network, loaded on first use; a missing or unloadable file is warned about once.
    private func loadLPIPS() -> LPIPSModel? {
        guard lpipsWanted else { return nil }
        return loadOnce(&lpipsTried, &lpipsModel, path: lpipsPath, name: "LPIPS",
                        missing: "LPIPS weights not found at \(lpipsPath); the LPIPS column stays empty",
                        load: LPIPSModel.init(path:))
    }

    /// A metric network's weights, read on the first call only (`tried` remembers it), so a
    /// missing or unreadable file is warned about once and the run goes on without the metric.
    private func loadOnce<Model>(_ tried: inout Bool, _ model: inout Model?, path: String, name: String,
                                 missing: String, load: (String) throws -> Model) -> Model? {
        if !tried {
            tried = true
            if !FileManager.default.fileExists(atPath: path) {
                warn(missing)
            } else {
                do { model = try load(path) } catch { warn("\(name) not measured: \(error)") }
            }
        }
        return model
    }
}
