// Namespace of the two colour conversions; the work is in the +RGB and +YUV420 files.

/// Conversions between 8-bit YUV frames and RGB float planes. See spec/colour.md.
///
/// - `toRGB` (encoder side, float, not normative): YUV with the frame's matrix and range -> RGB in [0, 1].
/// - `toYUV420` (decoder output, integer, normative and bit-exact): RGB in [0, 1] -> 8-bit YUV 4:2:0.
public enum ColorConversion {}
