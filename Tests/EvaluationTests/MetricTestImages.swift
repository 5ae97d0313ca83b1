import Media

/// The deterministic test images of scripts/metric_references.py, formula for formula: 8-bit
/// values from integer arithmetic, stored as value / 255 in Float, so Swift and the Python
/// reference packages read identical samples.
enum MetricTestImages {
    static func hash32(_ x: Int, _ y: Int, _ c: Int, _ seed: Int) -> UInt32 {
        var h = UInt32(truncatingIfNeeded: x) &* 0x9E37_79B1 &+ UInt32(truncatingIfNeeded: y) &* 0x85EB_CA77
            &+ UInt32(truncatingIfNeeded: c) &* 0xC2B2_AE3D &+ UInt32(truncatingIfNeeded: seed) &* 0x27D4_EB2F
        h ^= h >> 15
        h = h &* 0x2C1B_3C6D
        h ^= h >> 12
        h = h &* 0x297A_2D39
        h ^= h >> 15
        return h
    }

    /// Triangle wave of period 2p, 0...p (t >= 0).
    static func tri(_ t: Int, _ p: Int) -> Int {
        let m = t % (2 * p)
        return m < p ? m : 2 * p - m
    }

    /// Image A: two triangle-wave gradients plus 5 bits of hashed texture.
    static func reference(_ x: Int, _ y: Int, _ c: Int) -> Int {
        30 + 2 * tri(x + 17 * c, 40) + tri(2 * y + x / 3, 70) + Int(hash32(x, y, c, 1) & 31)
    }

    /// Image B: A shifted one column in alternate 16-row bands, quantised to 8 levels, noise.
    static func distorted(_ x: Int, _ y: Int, _ c: Int) -> Int {
        var v = (reference(x + ((y >> 4) & 1), y, c) >> 3) << 3
        v += Int(hash32(x, y, c, 2) % 25) - 12
        return min(255, max(0, v))
    }

    /// Image C, far from A: A inverted, with rows and columns swapped.
    static func far(_ x: Int, _ y: Int, _ c: Int) -> Int { 255 - reference(y, x, c) }

    static func image(_ w: Int, _ h: Int, _ f: (Int, Int, Int) -> Int) -> RGBPlanes {
        var data = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 {
            for y in 0..<h {
                for x in 0..<w { data[(c * h + y) * w + x] = Float(f(x, y, c)) / 255 }
            }
        }
        return RGBPlanes(width: w, height: h, data: data)
    }

    static func pair(_ w: Int, _ h: Int) -> (RGBPlanes, RGBPlanes) {
        (image(w, h, reference), image(w, h, distorted))
    }
}
