// One vocabulary for the whole codec: the frame rate and colour description of the container
// (Bitstream), re-exported so code that reads and writes media uses them without importing it.
@_exported import struct Bitstream.FrameRate
@_exported import struct Bitstream.ColorInfo
@_exported import enum Bitstream.ColorMatrix
@_exported import enum Bitstream.ColorRange
