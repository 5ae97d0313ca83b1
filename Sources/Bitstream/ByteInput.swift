import Foundation

/// Buffered input for `ContainerReader`: bytes from memory or from a file handle, read on demand.
///
/// Reading never allocates more than the bytes actually received plus one chunk, whatever length a
/// caller asks for, so a corrupt length field cannot make the reader allocate gigabytes.
final class ByteInput {
    private var buffer: [UInt8]
    private var position = 0
    private let handle: FileHandle?
    private let fileName: String
    /// Absolute offset of the next byte to be read.
    private(set) var offset = 0
    /// Total input size, when known (memory, regular files).
    let size: Int?

    private static let bufferSize = 64 << 10

    init(bytes: [UInt8], name: String) {
        buffer = bytes
        handle = nil
        fileName = name
        size = bytes.count
    }

    init(handle: FileHandle, name: String, size: Int?) {
        buffer = []
        self.handle = handle
        fileName = name
        self.size = size
    }

    /// Bytes known to remain, when the size is known.
    var knownRemaining: Int? { size.map { $0 - offset } }

    /// Reads at most `count` bytes from the handle; empty at end of input.
    private func readHandle(_ count: Int) throws -> [UInt8] {
        guard let handle else { return [] }
        do {
            guard let data = try handle.read(upToCount: count) else { return [] }
            return [UInt8](data)
        } catch {
            throw ContainerError(file: fileName, offset: offset, reason: .io("read failed: \(error.localizedDescription)"))
        }
    }

    /// The next byte, or nil at end of input.
    func readByte() throws -> UInt8? {
        if position == buffer.count {
            buffer = try readHandle(Self.bufferSize)
            position = 0
            if buffer.isEmpty { return nil }
        }
        let b = buffer[position]
        position += 1
        offset += 1
        return b
    }

    /// Up to `count` bytes; fewer only at end of input.
    func read(upTo count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            if position == buffer.count {
                let want = count - out.count
                if want >= Self.bufferSize {
                    // Large reads skip the buffer, one bounded chunk at a time.
                    let chunk = try readHandle(min(want, ContainerFormat.readChunk))
                    if chunk.isEmpty { break }
                    out.append(contentsOf: chunk)
                    offset += chunk.count
                    continue
                }
                buffer = try readHandle(Self.bufferSize)
                position = 0
                if buffer.isEmpty { break }
            }
            let take = min(count - out.count, buffer.count - position)
            if out.isEmpty && take == count {
                out = Array(buffer[position..<position + take])
            } else {
                out.append(contentsOf: buffer[position..<position + take])
            }
            position += take
            offset += take
        }
        return out
    }
}
