import Bitstream
import Checksum
import Foundation

/// Finds weight files by their SHA-256, the only identity a `.dcv` header gives them.
///
/// A stream never names a path: the decoder lists the regular `*.safetensors` files (at most
/// `maxFileSize` bytes) in each configured directory, in order, and takes the first whose
/// content hashes to the header's digest. The header's file name is only a label for messages.
public struct WeightStore {
    /// Where to look, in order.
    public var directories: [String]
    /// Larger files are skipped, so a directory holding something else cannot make the decoder
    /// read gigabytes.
    public static let maxFileSize = 256 << 20

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

    /// `standard(explicit:)`, refusing an explicit directory (`--weights`) that is not one.
    public static func checked(explicit: String?) throws -> WeightStore {
        if let explicit {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isDirectory) else {
                throw CodecError(file: explicit, "weights directory does not exist")
            }
            guard isDirectory.boolValue else { throw CodecError(file: explicit, "weights path is not a directory") }
        }
        return standard(explicit: explicit)
    }

    /// The regular `*.safetensors` files of at most `maxFileSize` bytes in the configured
    /// directories, in search order (directories in order, names sorted within one).
    public func candidates() -> [(path: String, size: Int, modified: Int)] {
        var out: [(path: String, size: Int, modified: Int)] = []
        for dir in directories {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for name in names where name.hasSuffix(".safetensors") {
                let path = (dir as NSString).appendingPathComponent(name)
                var st = stat()
                guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                      st.st_size <= WeightStore.maxFileSize else { continue }
                out.append((path, Int(st.st_size), Int(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int(st.st_mtim.tv_nsec)))
            }
        }
        return out
    }

    /// The file whose bytes hash to `ref.sha256`, or an error naming the digest that is missing.
    /// `ref.name` is never used to open anything.
    public func load(_ ref: WeightRef) throws -> WeightFile {
        for c in candidates() {
            if let known = DigestCache.shared.digest(path: c.path, size: c.size, modified: c.modified),
               known != ref.sha256 { continue }
            guard let file = try? WeightFile(path: c.path) else { continue }
            DigestCache.shared.store(file.ref.sha256, path: c.path, size: c.size, modified: c.modified)
            if file.ref.sha256 == ref.sha256 { return file }
        }
        throw CodecError(file: ref.name,
                         "no weight file with SHA-256 \(SHA256.hex(ref.sha256)) among the *.safetensors files in \(directories.joined(separator: ", ")) (set --weights or DCVC_WEIGHTS)")
    }

    /// A named file in the first directory that has it: for encoders choosing a model by its
    /// registry name, never for names read from a stream.
    public func find(named name: String) -> String? {
        for dir in directories {
            let p = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }
}

/// SHA-256 digests of weight files already read in this process, keyed by (path, size, mtime),
/// so opening several streams does not hash every file again.
final class DigestCache: @unchecked Sendable {
    static let shared = DigestCache()
    private let lock = NSLock()
    private var digests: [String: (size: Int, modified: Int, sha256: [UInt8])] = [:]

    func digest(path: String, size: Int, modified: Int) -> [UInt8]? {
        lock.lock(); defer { lock.unlock() }
        guard let d = digests[path], d.size == size, d.modified == modified else { return nil }
        return d.sha256
    }

    func store(_ sha256: [UInt8], path: String, size: Int, modified: Int) {
        lock.lock(); defer { lock.unlock() }
        digests[path] = (size, modified, sha256)
    }
}
