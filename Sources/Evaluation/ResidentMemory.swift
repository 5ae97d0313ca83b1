import Foundation
#if canImport(Glibc)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module does not export).
@_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
#endif

/// This process's resident memory, for peaks of work done in-process (the x265/x264 anchors run
/// inside `dcvc-eval` through libavcodec, so GNU time cannot measure them apart from us).
///
/// Linux only: the peak (`VmHWM` of `/proc/self/status`) is reset by writing `5` to
/// `/proc/self/clear_refs`; elsewhere, or where that is refused, nothing is measured.
enum ResidentMemory {
    /// Resets the peak mark to the current resident size; false where that is not possible.
    static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// (resident, peak since the last reset) in bytes, from `/proc/self/status`.
    static func current() -> (resident: Int, peak: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func kB(_ key: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        guard let rss = kB("VmRSS"), let hwm = kB("VmHWM") else { return nil }
        return (rss, hwm)
    }

    /// Runs `work` and returns its result with the peak resident memory it added to this process
    /// (peak during the work minus the resident size before it), or nil where unmeasurable.
    static func measuringPeak<T>(_ work: () throws -> T) rethrows -> (T, Int?) {
        #if canImport(Glibc)
        // Freed memory malloc still holds would be reused unseen: hand it back first.
        _ = mallocTrim(0)
        #endif
        let before = resetPeak() ? current() : nil
        let result = try work()
        guard let before, let after = current() else { return (result, nil) }
        return (result, max(0, after.peak - before.resident))
    }
}
