// One frame-rate type for the whole codec: the container's (Bitstream.FrameRate), re-exported
// so code that reads and writes media says `FrameRate` without importing the container.
@_exported import struct Bitstream.FrameRate
