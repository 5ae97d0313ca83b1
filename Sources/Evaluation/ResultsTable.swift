import Foundation

/// The rows of an experiment, stored as `results.json` (read back to skip points already
/// measured) and `results.csv` (the same rows for spreadsheets), each written atomically.
public struct ResultsTable: Sendable, Equatable {
    public var rows: [ResultRow]

    public init(rows: [ResultRow] = []) { self.rows = rows }

    private struct FileBody: Codable {
        var experiment: String
        var config: String
        var rows: [ResultRow]
    }

    /// Reads `results.json`; a missing file is an empty table.
    public static func load(json path: String) throws -> ResultsTable {
        guard FileManager.default.fileExists(atPath: path) else { return ResultsTable() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError("\(path): cannot read")
        }
        do {
            return ResultsTable(rows: try JSONDecoder().decode(FileBody.self, from: data).rows)
        } catch {
            throw EvaluationError("\(path): not a results file of dcvc-eval (\(error)); move it away or run with --force")
        }
    }

    /// The row with this key, if present.
    public func row(_ key: ResultRow.Key) -> ResultRow? { rows.first { $0.key == key } }

    /// Inserts or replaces the row with the same key.
    public mutating func upsert(_ row: ResultRow) {
        if let i = rows.firstIndex(where: { $0.key == row.key }) { rows[i] = row } else { rows.append(row) }
    }

    /// The JSON text of `results.json`.
    public func json(experiment: String, config: String) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(FileBody(experiment: experiment, config: config, rows: rows))
    }

    /// The CSV columns, in order.
    public static let csvColumns = ["video", "clip", "width", "height", "frames", "method", "kind", "point",
                                    "bytes", "bpp", "psnr_rgb", "psnr_yuv", "psnr_y", "psnr_u", "psnr_v",
                                    "ssim", "msssim", "lpips", "fid", "fid_patches", "encode_seconds", "decode_seconds",
                                    "encode_peak_rss", "decode_peak_rss", "settings", "unmeasured", "error"]

    /// The text of `results.csv`: a header line, then one line per row (empty cells: not measured).
    public func csv() -> String {
        var lines = [ResultsTable.csvColumns.joined(separator: ",")]
        for r in rows {
            let cells: [String] = [
                r.video, r.clip, String(r.width), String(r.height), String(r.frames), r.method, r.kind, r.point,
                r.bytes.map(String.init) ?? "", num(r.bpp, 6), num(r.psnrRGB, 4), num(r.psnrYUV, 4),
                num(r.psnrY, 4), num(r.psnrU, 4), num(r.psnrV, 4), num(r.ssim, 6), num(r.msssim, 6),
                num(r.lpips, 6), num(r.fid, 4), r.fidPatches.map(String.init) ?? "", num(r.encodeSeconds, 3), num(r.decodeSeconds, 3),
                r.encodePeakRSS.map(String.init) ?? "", r.decodePeakRSS.map(String.init) ?? "", r.settings,
                (r.unmeasured ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "),
                r.error ?? "",
            ]
            lines.append(cells.map(ResultsTable.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `results.json` and `results.csv` into `directory`.
    public func save(in directory: String, experiment: String, config: String) throws {
        try writeAtomically(json(experiment: experiment, config: config),
                            to: (directory as NSString).appendingPathComponent("results.json"))
        try writeAtomically(Data(csv().utf8), to: (directory as NSString).appendingPathComponent("results.csv"))
    }

    /// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func num(_ v: Double?, _ digits: Int) -> String {
        v.map { String(format: "%.\(digits)f", $0) } ?? ""
    }
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
func writeAtomically(_ data: Data, to path: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        throw EvaluationError("\(path): cannot write (\(error.localizedDescription))")
    }
}
