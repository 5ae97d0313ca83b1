import CZstd
import Foundation

/// A directory of zstd-compressed decoded frames, so later runs (and epochs) skip decoding.
/// File layout: "DCVCFRM1", width and height as UInt32 little-endian, then the zstd frame of the
/// planar RGB bytes. Written to a temporary name and renamed, so a crash leaves no half file.
public struct FrameCache {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        catch { throw DataError.cache(path: directory, reason: "cannot create: \(error)") }
    }

    static let magic = Array("DCVCFRM1".utf8)

    /// Cache file of frame `index` of `source` after `halvings` halvings.
    public func path(source: String, index: Int, halvings: Int) -> String {
        let key = source.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return (directory as NSString).appendingPathComponent("\(String(key)).f\(index).h\(halvings).zst")
    }

    /// The cached frame, or nil when absent. A damaged entry is an error naming its file.
    public func load(source: String, index: Int, halvings: Int) throws -> FrameImage? {
        let p = path(source: source, index: index, halvings: halvings)
        guard let data = FileManager.default.contents(atPath: p) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count > 16, Array(bytes[0..<8]) == FrameCache.magic else { throw DataError.cache(path: p, reason: "bad header") }
        func u32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
        let w = u32(8), h = u32(12), n = 3 * w * h
        var out = [UInt8](repeating: 0, count: n)
        let got = bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ZSTD_decompress(dst.baseAddress, n, src.baseAddress! + 16, bytes.count - 16)
            }
        }
        guard ZSTD_isError(got) == 0, got == n else { throw DataError.cache(path: p, reason: "corrupt payload") }
        return FrameImage(width: w, height: h, rgb: out)
    }

    /// Stores a frame (level 3: fast, about 2-3x smaller than raw).
    public func store(_ img: FrameImage, source: String, index: Int, halvings: Int) throws {
        let p = path(source: source, index: index, halvings: halvings)
        let bound = ZSTD_compressBound(img.rgb.count)
        var out = [UInt8](repeating: 0, count: 16 + bound)
        let size = img.rgb.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ZSTD_compress(dst.baseAddress! + 16, bound, src.baseAddress, img.rgb.count, 3)
            }
        }
        guard ZSTD_isError(size) == 0 else { throw DataError.cache(path: p, reason: "compression failed") }
        out.replaceSubrange(0..<8, with: FrameCache.magic)
        for (o, v) in [(8, img.width), (12, img.height)] { for b in 0..<4 { out[o + b] = UInt8((v >> (8 * b)) & 0xff) } }
        let tmp = p + ".tmp\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(out[0..<(16 + size)])) else {
            throw DataError.cache(path: p, reason: "cannot write")
        }
        if rename(tmp, p) != 0 { throw DataError.cache(path: p, reason: "cannot rename into place") }
    }

    /// The cached frame count of a video, or nil.
    public func frameCount(source: String) throws -> Int? {
        let p = path(source: source, index: 0, halvings: 0) + ".count"
        guard let d = FileManager.default.contents(atPath: p) else { return nil }
        guard let n = Int(String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), n > 0 else {
            throw DataError.cache(path: p, reason: "bad frame count")
        }
        return n
    }

    /// Records a video's frame count.
    public func storeFrameCount(_ n: Int, source: String) throws {
        let p = path(source: source, index: 0, halvings: 0) + ".count"
        guard FileManager.default.createFile(atPath: p, contents: Data("\(n)\n".utf8)) else {
            throw DataError.cache(path: p, reason: "cannot write")
        }
    }
}
