import Entropy
import Tensor

/// Reading the integer entropy tables a weight file ships (I32 tensors in `TableSerialization`
/// layouts), shared by every model that codes with them.
enum TableTensors {
    /// The 1-D I32 tensor `name` of `file`, or an error naming `path`.
    static func integers(_ name: String, in file: SafeTensorsFile, path: String) throws -> [Int32] {
        guard let t = file.tensors[name] else { throw CodecError(file: path, "weight file has no table tensor \(name)") }
        guard t.dtype == .i32, t.shape.count == 1 else {
            throw CodecError(file: path, "table tensor \(name) is \(t.dtype.rawValue) \(t.shape), not a 1-D I32 tensor")
        }
        return t.integers().map { Int32(truncatingIfNeeded: $0) }
    }

    /// Runs `body`, reporting tables the entropy coder refuses as invalid tables of `path`.
    static func reading<T>(path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as EntropyError { throw CodecError(file: path, "invalid entropy tables: \(e)") }
    }
}
