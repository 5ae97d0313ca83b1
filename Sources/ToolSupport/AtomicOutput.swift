import Foundation

/// An output file that appears under its final name only when the tool succeeds.
///
/// Bytes go to a hidden temporary file beside the destination; `commit()` renames it into place,
/// and an output that is never committed is removed by `deinit`, so a failed or interrupted run
/// leaves nothing half-written. The path `-` writes straight to standard output, and an existing
/// destination that is not a regular file (`/dev/null`, a FIFO) is written in place: renaming
/// over a device would replace it.
public final class AtomicOutput {
    /// The destination the user named.
    public let path: String
    /// Where bytes are written until commit (`nil` for standard output and devices).
    public let temporaryPath: String?
    private var handle: FileHandle?
    private var committed = false
    /// The temporary file's slot in `TemporaryFileCleanup` (removed on SIGINT/SIGTERM/SIGHUP).
    private var cleanupSlot: Int?

    /// Opens the output, refusing an existing destination unless `overwrite` is set.
    public init(path: String, overwrite: Bool) throws {
        self.path = path
        if path == "-" {
            temporaryPath = nil
            handle = FileHandle.standardOutput
            return
        }
        let fm = FileManager.default
        if let type = (try? fm.attributesOfItem(atPath: path))?[.type] as? FileAttributeType,
           ![.typeRegular, .typeDirectory, .typeSymbolicLink].contains(type) {
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw ToolError(file: path, "cannot open for writing", exitCode: ExitStatus.outputError)
            }
            temporaryPath = nil
            handle = h
            return
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw ToolError(file: path, "is a directory", exitCode: ExitStatus.outputError)
            }
            if !overwrite {
                throw ToolError(file: path, "already exists (use -y to overwrite)", exitCode: ExitStatus.outputError)
            }
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        guard fm.fileExists(atPath: dir) else {
            throw ToolError(file: path, "directory \(dir) does not exist", exitCode: ExitStatus.outputError)
        }
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        guard fm.createFile(atPath: tmp, contents: nil) else {
            throw ToolError(file: path, "cannot create a file in \(dir)", exitCode: ExitStatus.outputError)
        }
        temporaryPath = tmp
        cleanupSlot = TemporaryFileCleanup.register(tmp)
    }

    /// Where a writer that opens files by path should write: the temporary file, the device, or `-`.
    public var writePath: String { temporaryPath ?? path }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try writing { try fileHandle.write(contentsOf: Data(bytes)) }
    }

    /// Runs `body`, which writes to this output, turning its failure (disk full, broken pipe)
    /// into one line and exit status 3.
    public func writing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ToolError {
            throw e
        } catch {
            var reason = AtomicOutput.reason(error)
            if let temporaryPath { reason = reason.replacingOccurrences(of: temporaryPath, with: path) }
            // Media and Bitstream errors already start with the file they were writing.
            if reason.hasPrefix(path) {
                throw ToolError(reason, exitCode: ExitStatus.outputError)
            }
            throw ToolError(file: path, "write failed: \(reason)", exitCode: ExitStatus.outputError)
        }
    }

    /// A one-line reason for a write error: the POSIX message where there is one.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        for e in [ns, ns.userInfo[NSUnderlyingErrorKey] as? NSError].compactMap({ $0 }) where e.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(e.code)))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileWriteOutOfSpaceError { return String(cString: strerror(ENOSPC)) }
        let text = "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    /// The file handle, for writers that take one (opened on first use, closed by `commit()`).
    public var fileHandle: FileHandle {
        if let handle { return handle }
        let h = temporaryPath.flatMap { FileHandle(forWritingAtPath: $0) } ?? FileHandle.standardOutput
        handle = h
        return h
    }

    /// Flushes and moves the output into place.
    public func commit() throws {
        guard !committed else { return }
        committed = true
        defer { forgetTemporary() }
        guard let tmp = temporaryPath else { return }
        do {
            if let handle {
                try handle.synchronize()
                try handle.close()
            }
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw ToolError(file: path, "cannot finish the output: \(AtomicOutput.reason(error))",
                            exitCode: ExitStatus.outputError)
        }
    }

    private func forgetTemporary() {
        if let cleanupSlot { TemporaryFileCleanup.unregister(cleanupSlot) }
        cleanupSlot = nil
    }

    deinit {
        if !committed, let tmp = temporaryPath {
            try? handle?.close()
            try? FileManager.default.removeItem(atPath: tmp)
        }
        forgetTemporary()
    }
}
