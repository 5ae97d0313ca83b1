import Bitstream
import Checksum
import Foundation

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

    /// The safetensors `__metadata__` map (string values only), read from the JSON header alone;
    /// empty when the file has none or is not a safetensors file (the loader reports that).
    public var metadata: [String: String] {
        guard bytes.count >= 8 else { return [:] }
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        guard n >= 0, n <= bytes.count - 8,
              let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any],
              let meta = object["__metadata__"] as? [String: Any] else { return [:] }
        return meta.compactMapValues { $0 as? String }
    }
}
