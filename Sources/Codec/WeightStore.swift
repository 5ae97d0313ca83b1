import Bitstream
import Checksum
import Foundation

/// Finds weight files by their SHA-256, the identity a `.dcv` header names them by.
///
/// Directories are searched in order; within one, the file with the header's name is tried
/// first, then any other `.safetensors` file (so renamed copies still match by content).
public struct WeightStore {
    /// Where to look, in order.
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// The usual search path: an explicit directory, then `$DCVC_WEIGHTS`, then `weights/` under
    /// the current directory, then `weights/` beside the package the tool was built in.
    public static func standard(explicit: String? = nil) -> WeightStore {
        var dirs: [String] = []
        if let explicit { dirs.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["DCVC_WEIGHTS"], !env.isEmpty { dirs.append(env) }
        dirs.append("weights")
        // The package the tool was built in: the nearest ancestor of the executable holding
        // Package.swift (.build/<config> may be a symlink to .build/<triple>/<config>).
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                dirs.append(dir.appendingPathComponent("weights").path)
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        var seen = Set<String>()
        return WeightStore(directories: dirs.filter { seen.insert(URL(fileURLWithPath: $0).standardized.path).inserted })
    }

    /// The file whose bytes hash to `ref.sha256` (read once), or an error naming what is missing.
    public func load(_ ref: WeightRef) throws -> WeightFile {
        let fm = FileManager.default
        for dir in directories where fm.fileExists(atPath: dir) {
            let named = (dir as NSString).appendingPathComponent(ref.name)
            if fm.fileExists(atPath: named) {
                let file = try WeightFile(path: named)
                if file.ref.sha256 == ref.sha256 { return file }
            }
            let others = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
            for f in others.sorted() where f.hasSuffix(".safetensors") && f != ref.name {
                let file = try WeightFile(path: (dir as NSString).appendingPathComponent(f))
                if file.ref.sha256 == ref.sha256 { return file }
            }
        }
        throw CodecError(file: ref.name,
                         "no weight file with SHA-256 \(SHA256.hex(ref.sha256)) in \(directories.joined(separator: ", ")) (set --weights or DCVC_WEIGHTS)")
    }

    /// A named file in the first directory that has it (for encoders choosing a model by name).
    public func find(named name: String) -> String? {
        for dir in directories {
            let p = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

}

/// A weight file's bytes and its identity in a stream (file name and SHA-256), read once.
public struct WeightFile {
    public let path: String
    public let bytes: [UInt8]
    public let ref: WeightRef

    /// Reads and hashes `path`.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CodecError(file: path, "cannot read weight file")
        }
        self.path = path
        bytes = Array(data)
        ref = WeightRef(name: (path as NSString).lastPathComponent, sha256: SHA256.hash(bytes))
    }
}
