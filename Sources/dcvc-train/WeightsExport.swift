import Foundation
import Tensor

/// Writes exported weights to `path`, creating its folder, and prints the path, `source` (where
/// the weights come from) and the file's SHA-256, the model id streams name.
func writeExportedWeights(_ file: SafeTensorsFile, to path: String, source: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    try file.write(to: path)
    print("\(path) from \(source) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: path))")
}
