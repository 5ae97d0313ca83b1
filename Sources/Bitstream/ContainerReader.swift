import Checksum
import Foundation

/// A `.dcv` version as stored in the file header.
public struct ContainerVersion: Equatable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var description: String { "\(major).\(minor)" }
}

/// Reads a `.dcv` file unit by unit, validating each before handing it out (spec/container.md §7).
///
/// ```swift
/// let reader = try ContainerReader(path: "clip.dcv")   // file header + sequence header checked
/// print(reader.header.width, reader.header.height)
/// while let frame = try reader.nextFrame() {            // nil only after a valid end marker
///     decode(frame.substream(named: "rvq.0") ?? [])
/// }
/// ```
/// Memory holds one unit at a time; a file path or handle is read in chunks, never all at once.
/// After an error every later call throws the same error.
public final class ContainerReader {
    /// The name used in errors (the path as given).
    public let fileName: String
    public let version: ContainerVersion
    public let header: SequenceHeader
    /// Frames handed out so far.
    public private(set) var framesRead = 0
    /// On-disk size of the unit behind the last frame returned (type, length, payload, CRC).
    public private(set) var lastFrameUnitSize = 0
    /// On-disk size of the sequence header unit and of the end marker unit (0 until read).
    public let headerUnitSize: Int
    public private(set) var endMarkerUnitSize = 0
    /// True once the end marker and the end of the file have been validated.
    public private(set) var isAtEnd = false

    private let input: ByteInput
    private var units: UnitReader
    private var nextUnit = 1
    private var failure: ContainerError?
    private let context: ErrorContext

    /// Bytes consumed so far; after the end, the file size.
    public var bytesRead: Int { input.offset }

    /// Opens and streams a file; reads and validates the file header and the sequence header.
    public convenience init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ContainerError(file: path, reason: .io(exists ? "cannot open for reading" : "no such file"))
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ContainerError(file: path, reason: .io("is a directory"))
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let regular = (attributes?[.type] as? FileAttributeType) == .typeRegular
        let size = regular ? (attributes?[.size] as? NSNumber)?.intValue : nil
        try self.init(input: ByteInput(handle: handle, name: path, size: size), name: path)
    }

    /// Streams from an open handle (e.g. stdin), whose size is not assumed.
    public convenience init(fileHandle: FileHandle, name: String) throws {
        try self.init(input: ByteInput(handle: fileHandle, name: name, size: nil), name: name)
    }

    /// Reads from bytes in memory.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(input: ByteInput(bytes: bytes, name: name), name: name)
    }

    private init(input: ByteInput, name: String) throws {
        self.input = input
        fileName = name
        context = ErrorContext(file: name, unit: nil, frame: nil)
        units = UnitReader(input: input, fileName: name)

        // Steps 1-4: the frozen 16-byte file header.
        let fileHeader = try input.read(upTo: ContainerFormat.fileHeaderSize)
        let magic = ContainerFormat.magic
        // A short file that is not even a prefix of the magic is "not a .dcv", not "truncated".
        let compared = min(fileHeader.count, magic.count)
        if !fileHeader.prefix(compared).elementsEqual(magic.prefix(compared)) {
            throw context.error(at: 0, .badMagic)
        }
        if fileHeader.count < ContainerFormat.fileHeaderSize {
            let what = fileHeader.isEmpty ? "before the file header (the file is empty)" : "inside the file header"
            throw context.error(at: fileHeader.count, .truncated(what: what))
        }
        let stored = readU32(fileHeader[12..<16])
        let computed = CRC32C.checksum(fileHeader[0..<12])
        if stored != computed { throw context.error(at: 12, .crcMismatch(stored: stored, computed: computed)) }
        let major = Int(readU16(fileHeader[8..<10]))
        let minor = Int(readU16(fileHeader[10..<12]))
        if major > Int(ContainerFormat.versionMajor) {
            throw context.error(at: 8, .newerVersion(major: major, minor: minor))
        }
        if major < Int(ContainerFormat.versionMajor) {
            throw context.error(at: 8, .unsupportedVersion(major: major, minor: minor))
        }
        version = ContainerVersion(major: major, minor: minor)

        // Unit 0 must be the sequence header.
        guard let unit = try units.next(number: 0) else {
            throw context.error(at: input.offset, .truncated(what: "before the sequence header"))
        }
        var unitContext = context
        unitContext.unit = 0
        guard unit.type == UnitType.sequenceHeaderByte else {
            throw unitContext.error(at: unit.start, .unexpectedUnitType(unit.type, detail: "the first unit must be a sequence header"))
        }
        var cursor = PayloadCursor(unit.payload, baseOffset: unit.payloadStart, context: unitContext,
                                   unitName: "sequence header")
        header = try SequenceHeader.decode(&cursor)
        headerUnitSize = unit.size
    }

    /// The next frame, validated; nil after a valid end marker at the very end of the file.
    public func nextFrame() throws -> FrameUnit? {
        if let failure { throw failure }
        if isAtEnd { return nil }
        do {
            return try readFrameOrEnd()
        } catch let error as ContainerError {
            failure = error
            throw error
        }
    }

    private func readFrameOrEnd() throws -> FrameUnit? {
        while true {
            let number = nextUnit
            guard let unit = try units.next(number: number) else {
                throw context.error(at: input.offset, .missingEndMarker)
            }
            nextUnit += 1
            var unitContext = context
            unitContext.unit = number
            switch UnitType(unit.type) {
            case .frame:
                var cursor = PayloadCursor(unit.payload, baseOffset: unit.payloadStart, context: unitContext,
                                           unitName: "frame unit")
                let frame = try FrameUnit.decode(&cursor, names: header.substreamNames)
                unitContext.frame = frame.index
                if frame.index != framesRead {
                    throw unitContext.error(at: unit.payloadStart + 1,
                                            .frameIndexOutOfOrder(expected: framesRead, found: frame.index))
                }
                if header.frameCount != 0 && frame.index >= header.frameCount {
                    throw unitContext.error(at: unit.start, .frameCountMismatch(
                        detail: "frame \(frame.index) is beyond the header's frame_count \(header.frameCount)"))
                }
                framesRead += 1
                lastFrameUnitSize = unit.size
                return frame
            case .endMarker:
                var cursor = PayloadCursor(unit.payload, baseOffset: unit.payloadStart, context: unitContext,
                                           unitName: "end marker")
                let count = try EndMarker.decode(&cursor)
                if count != framesRead {
                    throw unitContext.error(at: unit.payloadStart, .frameCountMismatch(
                        detail: "the end marker says \(count) frame(s), the file holds \(framesRead)"))
                }
                if header.frameCount != 0 && header.frameCount != count {
                    throw unitContext.error(at: unit.payloadStart, .frameCountMismatch(
                        detail: "the end marker says \(count) frame(s), the sequence header \(header.frameCount)"))
                }
                if try input.readByte() != nil {
                    throw context.error(at: input.offset - 1, .trailingGarbage)
                }
                endMarkerUnitSize = unit.size
                isAtEnd = true
                return nil
            case .ancillary:
                continue
            case .sequenceHeader:
                throw unitContext.error(at: unit.start, .unexpectedUnitType(unit.type, detail: "a second sequence header"))
            case .reserved(let t):
                throw unitContext.error(at: unit.start, .unexpectedUnitType(t, detail: "reserved"))
            }
        }
    }

    /// Reads every remaining frame, validating the whole file; returns them.
    /// For tests and small files: memory grows with the frames.
    public func readAll() throws -> [FrameUnit] {
        var frames: [FrameUnit] = []
        while let f = try nextFrame() { frames.append(f) }
        return frames
    }
}
