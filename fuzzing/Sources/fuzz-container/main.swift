import Bitstream
import FuzzSupport

/// The `.dcv` container reader over arbitrary bytes (CRCs repaired first): the file header, the
/// sequence header, every frame unit and its substreams, the end marker. Any input must end in a
/// frame list or a `ContainerError`; a trap or a sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContainer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = ContainerRepair.repaired(FuzzInput.bytes(data, size))
    do {
        let reader = try ContainerReader(bytes: bytes, name: "fuzz")
        _ = reader.header.substreamNames
        while let frame = try reader.nextFrame() {
            for s in frame.substreams { _ = frame.substream(named: s.name) }
        }
        fuzzCheck(reader.isAtEnd && reader.bytesRead == bytes.count, "reader stopped before the end")
    } catch is ContainerError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
