import Foundation

/// Where a `ContainerWriter` puts its bytes.
public protocol ByteSink: AnyObject {
    /// Appends bytes.
    func write(_ bytes: [UInt8]) throws
    /// Replaces already-written bytes at `offset` (counted from the first byte this sink received)
    /// and returns true, or returns false when the sink cannot seek (a pipe).
    func overwrite(at offset: Int, with bytes: [UInt8]) throws -> Bool
}

/// A sink that keeps everything in memory.
public final class MemorySink: ByteSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func write(_ bytes: [UInt8]) { self.bytes.append(contentsOf: bytes) }

    public func overwrite(at offset: Int, with bytes: [UInt8]) -> Bool {
        precondition(offset >= 0 && offset + bytes.count <= self.bytes.count, "overwrite past the written bytes")
        self.bytes.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        return true
    }
}

/// A sink over an open `FileHandle` (a file, or a pipe such as stdout). It writes from the handle's
/// current position; it can seek back only when the handle could report its position at creation.
public final class FileSink: ByteSink {
    public let handle: FileHandle
    /// Position of our first byte in the file, or nil when the handle cannot seek.
    private let start: UInt64?
    private var written: UInt64 = 0

    public init(fileHandle: FileHandle) {
        handle = fileHandle
        start = try? fileHandle.offset()
    }

    public func write(_ bytes: [UInt8]) throws {
        try posix { try handle.write(contentsOf: bytes) }
        written += UInt64(bytes.count)
    }

    public func overwrite(at offset: Int, with bytes: [UInt8]) throws -> Bool {
        guard let start else { return false }
        try posix {
            try handle.seek(toOffset: start + UInt64(offset))
            try handle.write(contentsOf: bytes)
            try handle.seek(toOffset: start + written)
        }
        return true
    }

    /// Foundation's errors print as a multi-line dump; the POSIX reason (e.g. "No space left on
    /// device") is what a user needs.
    private func posix(_ body: () throws -> Void) throws {
        do { try body() } catch {
            let ns = error as NSError
            let causes = [ns, ns.userInfo[NSUnderlyingErrorKey] as? NSError].compactMap { $0 }
            if let e = causes.first(where: { $0.domain == NSPOSIXErrorDomain }) {
                throw SinkError(description: String(cString: strerror(Int32(e.code))))
            }
            throw error
        }
    }
}

/// A write error of a `FileSink`, in one line.
public struct SinkError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
