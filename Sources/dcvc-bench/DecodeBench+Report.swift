import Foundation

/// What `dcvc-bench decode` measured, as text or JSON.
struct DecodeReport {
    var video: String
    var width: Int, height: Int, frames: Int
    var model: String, levels: Int, prior: String, threads: Int
    var bytes: Int, bpp: Double
    var ours: DecodeRates
    /// `StreamDecoder.init` of each pass: the first pays the weight search and hashing.
    var initSeconds: [Double]
    /// Reading and hashing the weight files the stream names, once.
    var weightSeconds: Double
    var stages: DecodeStages.Times
    var peer: DecodeRates?
    var peerBytes: Int?
    var peerNote: String
    /// Our best fps over the peer's best.
    var ratio: Double?
    var targetFPS: Double

    /// The stages in reporting order, seconds per frame, ending with what the clocks left out.
    var stageRows: [(key: String, label: String, seconds: Double)] {
        let n = Double(frames), s = stages
        return [("container", "container (unit parse, CRC)", s.container / n),
                ("prior_network", "index prior network", s.priorNetwork / n),
                ("entropy", "entropy decoding (softmax, rANS)", s.entropy / n),
                ("synthesis", "tokenizer synthesis (conv net)", s.synthesis / n),
                ("output", "crop + colour conversion", s.output / n),
                ("other", "other (between stages)", max(0, s.total - s.stageSum) / n)]
    }

    func text() -> String {
        var lines: [String] = []
        lines.append("decode: \(video) \(width)x\(height), \(frames) frames all-intra, \(model) \(levels) levels, index prior \(prior), "
                     + "\(threads) threads; \(bytes) bytes (\(String(format: "%.4f", bpp)) bpp); wall time")
        lines.append(String(format: "ours:  %.3f fps (best of %d passes; median %.3f), %.3f s/frame", ours.best, ours.seconds.count,
                            ours.median, 1 / ours.best))
        lines.append(String(format: "model load: %.3f s first StreamDecoder (weight search, SHA-256, model build), %.3f s later ones; "
                            + "weight files read + hashed: %.3f s", initSeconds[0], initSeconds.dropFirst().min() ?? .nan, weightSeconds))
        lines.append(String(format: "stages (one more pass, s/frame, %% of that pass's %.3f s/frame):", stages.total / Double(frames)))
        for r in stageRows {
            lines.append("  " + r.label.padding(toLength: 34, withPad: " ", startingAt: 0)
                         + String(format: "%8.4f  %5.1f %%", r.seconds, 100 * r.seconds * Double(frames) / stages.total))
        }
        if let peer, let peerBytes, let ratio {
            lines.append(String(format: "peer:  %.2f fps (best of %d; median %.2f), %d bytes (%.4f bpp); %@", peer.best, peer.seconds.count,
                                peer.median, peerBytes, Double(peerBytes) * 8 / Double(width * height * frames), peerNote))
            lines.append(String(format: "ratio ours/peer: %.4f (best/best; 1 would be as fast as libavcodec HEVC)", ratio))
        } else {
            lines.append("peer: \(peerNote)")
        }
        let is720p = width == 1280 && height == 720
        lines.append(String(format: "target: %.2f fps%@; ours %.3f fps = %.1f %% of it (%@)", targetFPS,
                            is720p ? " at 720p" : " (stated for 720p; this clip is another size)", ours.best,
                            100 * ours.best / targetFPS,
                            ours.best >= targetFPS ? "met" : String(format: "%.2fx short", targetFPS / ours.best)))
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        var obj: [String: Any] = [
            "video": video, "width": width, "height": height, "frames": frames, "model": model, "levels": levels,
            "index_prior": prior, "threads": threads, "bytes": bytes, "bpp": bpp,
            "ours_fps": ours.best, "ours_median_fps": ours.median, "ours_pass_s": ours.seconds,
            "init_s": initSeconds, "weights_read_hash_s": weightSeconds,
            "stages_s_per_frame": Dictionary(uniqueKeysWithValues: stageRows.map { ($0.key, $0.seconds) }),
            "stages_pass_s_per_frame": stages.total / Double(frames),
            "peer": peerNote, "target_fps": targetFPS, "target_fraction": ours.best / targetFPS,
        ]
        obj["peer_fps"] = peer?.best ?? NSNull()
        obj["peer_median_fps"] = peer?.median ?? NSNull()
        obj["peer_bytes"] = peerBytes ?? NSNull()
        obj["ratio"] = ratio ?? NSNull()
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
