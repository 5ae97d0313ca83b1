import Foundation

/// One training source listed in `data/MANIFEST` (tab-separated: path, bytes, sha256, purpose,
/// source; paths relative to the data directory).
public struct DataSource: Equatable, Sendable {
    public enum Kind: Sendable { case video, photo }
    /// Absolute (or data-dir-joined) path.
    public var path: String
    public var kind: Kind
    public var purpose: String

    public init(path: String, kind: Kind, purpose: String = "train") {
        self.path = path; self.kind = kind; self.purpose = purpose
    }

    static let photoExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff"]

    /// Photo or video by file extension.
    public static func kind(of path: String) -> Kind {
        photoExtensions.contains((path as NSString).pathExtension.lowercased()) ? .photo : .video
    }
}

/// Reads the manifest of a data directory.
public enum DataManifest {
    /// Sources of `purpose` listed in `<dataDir>/MANIFEST`.
    public static func sources(dataDir: String, purpose: String = "train") throws -> [DataSource] {
        let path = (dataDir as NSString).appendingPathComponent("MANIFEST")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DataError.manifest(path: path, reason: "cannot read the manifest")
        }
        var out: [DataSource] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4 else { throw DataError.manifest(path: path, reason: "line \(n + 1): expected 5 tab-separated fields") }
            guard f[3] == purpose else { continue }
            let full = (dataDir as NSString).appendingPathComponent(f[0])
            out.append(DataSource(path: full, kind: DataSource.kind(of: f[0]), purpose: f[3]))
        }
        if out.isEmpty { throw DataError.noData(reason: "\(path) lists no '\(purpose)' files") }
        return out
    }
}
