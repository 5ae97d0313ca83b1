import FuzzSupport
import Tensor

/// The safetensors parser over arbitrary bytes, then every accessor on what it accepted, then a
/// round trip: a file that parses must serialize to bytes that parse to the same file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let file: SafeTensorsFile
    do {
        file = try SafeTensorsFile.parse(bytes, path: "fuzz")
    } catch is SafeTensorsError {
        return 0
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    for (_, t) in file.tensors {
        if t.dtype == .f32 { _ = t.tensor() } else { _ = t.integers() }
    }
    let specs = file.tensors.map { TensorSpec($0.key, $0.value.dtype, $0.value.shape) }
    do { try file.validate(specs, path: "fuzz") } catch { fatalError("own specs rejected: \(error)") }
    do {
        let again = try SafeTensorsFile.parse(file.serialized(), path: "fuzz-roundtrip")
        fuzzCheck(again == file, "round trip changed the file")
    } catch {
        fatalError("serialized file does not parse: \(error)")
    }
    return 0
}
