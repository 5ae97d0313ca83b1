import FuzzSupport
import Media

/// The Y4M reader over arbitrary bytes (through a scratch file, since it reads paths): the header
/// line, then every frame. Any input must end in frames or a `MediaError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzY4M(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    FuzzInput.writeScratch(bytes)
    do {
        let reader = try Y4MReader(path: FuzzInput.scratchPath)
        var frames = 0
        while let frame = try reader.nextFrame() {
            fuzzCheck(frame.width == reader.width && frame.height == reader.height, "frame size changed")
            frames += 1
        }
        fuzzCheck(frames >= 1, "a reader that opened must hand out its first frame")
    } catch is MediaError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
