import ToolSupport
import XCTest

/// `tuneAllocatorForFrameBuffers` is harmless: glibc accepts the settings, frame-sized buffers
/// still allocate, fill and free as before, and the environment switch leaves malloc alone.
final class AllocatorTuningTests: XCTestCase {
    func testSettingsAreAcceptedAndBuffersStillWork() {
        #if os(Linux)
        XCTAssertTrue(tuneAllocatorForFrameBuffers(environment: [:]), "glibc refused a setting")
        #else
        XCTAssertFalse(tuneAllocatorForFrameBuffers(environment: [:]))
        #endif
        // Sizes on both sides of the 32 MiB mmap threshold, allocated and freed repeatedly.
        for round in 0..<3 {
            for mib in [1, 16, 31, 33, 48] {
                let n = mib << 18  // floats
                var a = [Float](repeating: Float(round), count: n)
                a[n - 1] = Float(mib)
                XCTAssertEqual(a[0], Float(round))
                XCTAssertEqual(a[n - 1], Float(mib))
            }
        }
    }

    func testEnvironmentSwitchSkipsTheTuning() {
        XCTAssertFalse(tuneAllocatorForFrameBuffers(environment: ["DCVC_DEFAULT_MALLOC": "1"]))
        XCTAssertEqual(frameBufferHeap.mmapThreshold, 32 << 20)
        XCTAssertEqual(frameBufferHeap.trimThreshold, 1 << 30)
        XCTAssertEqual(frameBufferHeap.topPad, 64 << 20)
    }
}
