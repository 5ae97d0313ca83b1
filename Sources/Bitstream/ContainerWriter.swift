import Checksum

/// Writes a `.dcv` file as a stream: file header and sequence header at creation, then one frame
/// unit per `write(_:)`, then the end marker in `finish()` (spec/container.md §8).
///
/// ```swift
/// let sink = MemorySink()                     // or FileSink(fileHandle: handle)
/// let writer = try ContainerWriter(sink: sink, header: header)
/// try writer.write(FrameUnit(type: .intra, index: 0, substreams: [Substream(name: "rvq.0", bytes: b)]))
/// try writer.finish()
/// ```
/// Every limit is checked before a unit's first byte is written, so the writer never produces a
/// file that `ContainerReader` refuses. After an error the writer refuses further calls.
public final class ContainerWriter {
    public let header: SequenceHeader
    /// Frames written so far; the next frame's index must equal it.
    public private(set) var framesWritten = 0
    /// Bytes handed to the sink so far.
    public private(set) var bytesWritten = 0
    /// True after `finish()`.
    public private(set) var isFinished = false
    /// Whether `finish()` patched the header's frame count in place.
    public private(set) var patchedFrameCount = false

    private let sink: ByteSink
    private let context: ErrorContext
    private let nameTable: [String: Int]
    private var failed = false

    /// Writes the file header and the sequence header. `name` appears in errors.
    public init(sink: ByteSink, header: SequenceHeader, name: String = "<output>") throws {
        self.sink = sink
        self.header = header
        context = ErrorContext(file: name, unit: 0, frame: nil)
        try header.validate(context)
        var table: [String: Int] = [:]
        for (i, n) in header.substreamNames.enumerated() { table[n] = i }
        nameTable = table

        var fileHeader = ContainerFormat.magic
        fileHeader.appendU16(ContainerFormat.versionMajor)
        fileHeader.appendU16(ContainerFormat.versionMinor)
        fileHeader.appendU32(CRC32C.checksum(fileHeader))
        try emit(fileHeader)
        try emit(makeUnit(type: UnitType.sequenceHeaderByte, payload: header.encodePayload()))
    }

    /// Writes one frame unit and returns its on-disk size. The frame's index must be
    /// `framesWritten`; its substream names must be in the header's table (any order; they are
    /// stored in table order).
    @discardableResult
    public func write(_ frame: FrameUnit) throws -> Int {
        try checkUsable()
        var frameContext = context
        frameContext.unit = nil
        frameContext.frame = frame.index
        if frame.index != framesWritten {
            throw frameContext.error(at: nil, .frameIndexOutOfOrder(expected: framesWritten, found: frame.index))
        }
        if framesWritten >= ContainerFormat.maxCount ||
            (header.frameCount != 0 && framesWritten >= header.frameCount) {
            let limit = header.frameCount != 0 ? header.frameCount : ContainerFormat.maxCount
            throw frameContext.error(at: nil, .limitExceeded(field: "frame count", value: UInt64(framesWritten + 1),
                                                             limit: UInt64(limit)))
        }
        let ordered = try frame.orderedSubstreams(table: nameTable, frameContext)
        let size = FrameUnit.payloadSize(index: frame.index, substreams: ordered)
        if size > ContainerFormat.maxPayloadLength {
            throw frameContext.error(at: nil, .limitExceeded(field: "frame unit payload", value: UInt64(size),
                                                             limit: UInt64(ContainerFormat.maxPayloadLength)))
        }
        let payload = FrameUnit.encodePayload(type: frame.type, index: frame.index, substreams: ordered)
        let unit = makeUnit(type: UnitType.frameByte, payload: payload)
        try emit(unit)
        framesWritten += 1
        return unit.count
    }

    /// Writes the end marker; patches the header's frame count when it was 0 and the sink can seek.
    public func finish() throws {
        try checkUsable()
        if header.frameCount != 0 && header.frameCount != framesWritten {
            throw context.error(at: nil, .frameCountMismatch(
                detail: "the header promised \(header.frameCount) frame(s), \(framesWritten) were written"))
        }
        try emit(makeUnit(type: UnitType.endMarkerByte, payload: EndMarker.encodePayload(frameCount: framesWritten)))
        if header.frameCount == 0 && framesWritten > 0 {
            var patched = header
            patched.frameCount = framesWritten
            // frame_count is fixed-width, so the unit keeps its size; its CRC is recomputed.
            let unit = makeUnit(type: UnitType.sequenceHeaderByte, payload: patched.encodePayload())
            do {
                patchedFrameCount = try sink.overwrite(at: ContainerFormat.fileHeaderSize, with: unit)
            } catch {
                failed = true
                throw context.error(at: ContainerFormat.fileHeaderSize, .io("patching the frame count failed: \(error)"))
            }
        }
        isFinished = true
    }

    private func checkUsable() throws {
        if isFinished { throw context.error(at: nil, .misuse("the writer has already finished")) }
        if failed { throw context.error(at: nil, .misuse("an earlier write failed")) }
    }

    private func emit(_ bytes: [UInt8]) throws {
        do {
            try sink.write(bytes)
        } catch {
            failed = true
            throw context.error(at: bytesWritten, .io("write failed: \(error)"))
        }
        bytesWritten += bytes.count
    }
}
