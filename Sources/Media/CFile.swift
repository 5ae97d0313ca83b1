// A buffered C stdio stream owned by a class: files by path, or stdin/stdout for "-".

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `FILE*` opened for reading or writing; `-` means stdin or stdout (never closed, only flushed).
final class CFile {
    let path: String
    private var handle: UnsafeMutablePointer<FILE>?
    private let isStandardStream: Bool

    /// Opens `path` for reading (`-` = stdin). Throws `fileNotFound` or `unreadable`.
    init(readingFrom path: String) throws {
        self.path = path
        if path == "-" {
            handle = stdin
            isStandardStream = true
            return
        }
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw MediaError.fileNotFound(path: path) }
            throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) != S_IFDIR else {
            throw MediaError.unreadable(path: path, reason: "is a directory")
        }
        guard let f = fopen(path, "rb") else {
            throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        handle = f
        isStandardStream = false
    }

    /// Opens `path` for writing, truncating it (`-` = stdout). Throws `writeFailed`.
    init(writingTo path: String) throws {
        self.path = path
        if path == "-" {
            handle = stdout
            isStandardStream = true
            return
        }
        guard let f = fopen(path, "wb") else {
            throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        handle = f
        isStandardStream = false
    }

    deinit { _ = try? close() }

    /// Reads up to `count` bytes into `buffer` starting at `offset`; returns how many were read
    /// (fewer only at end of file). Throws `unreadable` on an I/O error.
    func read(into buffer: inout [UInt8], offset: Int = 0, count: Int) throws -> Int {
        guard let f = handle, count > 0 else { return 0 }
        let got = buffer.withUnsafeMutableBytes { raw in
            fread(raw.baseAddress! + offset, 1, count, f)
        }
        if got < count && ferror(f) != 0 {
            throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return got
    }

    /// Reads one byte, or nil at end of file.
    func readByte() throws -> UInt8? {
        guard let f = handle else { return nil }
        let c = getc(f)
        if c == EOF {
            if ferror(f) != 0 { throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno))) }
            return nil
        }
        return UInt8(truncatingIfNeeded: c)
    }

    /// Writes all of `bytes`. Throws `writeFailed`.
    func write(_ bytes: [UInt8]) throws {
        guard let f = handle else { throw MediaError.writeFailed(path: path, reason: "already closed") }
        guard !bytes.isEmpty else { return }
        let put = bytes.withUnsafeBytes { fwrite($0.baseAddress!, 1, bytes.count, f) }
        if put != bytes.count {
            throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Flushes and closes (stdin/stdout are only flushed). Idempotent. Throws `writeFailed`
    /// when buffered data could not be written (a full disk shows up here).
    func close() throws {
        guard let f = handle else { return }
        handle = nil
        if isStandardStream {
            if fflush(f) != 0 { throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        } else if fclose(f) != 0 {
            throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
