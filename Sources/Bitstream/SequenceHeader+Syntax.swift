/// The sequence header payload (spec §4): validation, encoding, decoding.
extension SequenceHeader {
    /// Throws the first way this header breaks a limit or rule of spec §3–§4.
    func validate(_ context: ErrorContext) throws {
        func limit(_ field: String, _ value: Int, _ range: ClosedRange<Int>) throws {
            if value < range.lowerBound {
                throw context.error(at: nil, .invalidField(field: field, detail: "\(value) is below \(range.lowerBound)"))
            }
            if value > range.upperBound {
                throw context.error(at: nil, .limitExceeded(field: field, value: UInt64(value), limit: UInt64(range.upperBound)))
            }
        }
        func invalid(_ field: String, _ detail: String) -> ContainerError {
            context.error(at: nil, .invalidField(field: field, detail: detail))
        }
        try limit("frame_count", frameCount, 0...ContainerFormat.maxCount)
        try limit("width", width, ContainerFormat.dimensionRange)
        try limit("height", height, ContainerFormat.dimensionRange)
        try limit("frame_rate_num", frameRate.numerator, 1...ContainerFormat.maxCount)
        try limit("frame_rate_den", frameRate.denominator, 1...ContainerFormat.maxCount)
        try limit("intra_period", intraPeriod, 0...ContainerFormat.maxCount)
        try limit("bit_depth", bitDepth, ContainerFormat.bitDepthRange)
        try limit("chroma_location", color.chromaLocation, 0...5)
        for (field, code) in [("colour_primaries", color.primaries), ("transfer_characteristics", color.transfer)]
            where !(0...255).contains(code) {
            throw invalid(field, "\(code) is not 0...255")
        }
        if color.range == .unspecified { throw invalid("full_range", "a stream states its range (limited or full)") }
        try limit("tool_count", tools.count, 0...ContainerFormat.maxTools)
        for (key, value) in tools {
            if let p = FieldRules.nameProblem(Array(key.utf8), maxLength: ContainerFormat.maxToolKeyLength) {
                throw invalid("tool key \"\(key)\"", p)
            }
            if case .string(let s) = value,
               let p = FieldRules.textProblem(Array(s.utf8), maxLength: ContainerFormat.maxToolStringLength) {
                throw invalid("value of tool \(key)", p)
            }
        }
        try limit("weight_count", weights.count, 0...ContainerFormat.maxWeights)
        var weightNames = Set<String>()
        for w in weights {
            if let p = FieldRules.nameProblem(Array(w.name.utf8), maxLength: ContainerFormat.maxWeightNameLength) {
                throw invalid("weight name \"\(w.name)\"", p)
            }
            if w.sha256.count != 32 { throw invalid("sha256 of weight \(w.name)", "\(w.sha256.count) bytes, not 32") }
            if !weightNames.insert(w.name).inserted { throw invalid("weight name", "\(w.name) appears twice") }
        }
        try limit("substream_name_count", substreamNames.count, 0...ContainerFormat.maxSubstreamNames)
        var names = Set<String>()
        for n in substreamNames {
            if let p = FieldRules.nameProblem(Array(n.utf8), maxLength: ContainerFormat.maxSubstreamNameLength) {
                throw invalid("substream name \"\(n)\"", p)
            }
            if !names.insert(n).inserted { throw invalid("substream name", "\(n) appears twice") }
        }
    }

    /// Tools in their stored order: keys strictly increasing bytewise.
    var sortedTools: [(key: String, value: ToolValue)] {
        tools.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
    }

    /// The payload bytes of a valid header. `frame_count` sits at payload offset 0 (u32).
    func encodePayload() -> [UInt8] {
        var out: [UInt8] = []
        out.appendU32(UInt32(frameCount))
        out.appendVarint(width)
        out.appendVarint(height)
        out.appendVarint(frameRate.numerator)
        out.appendVarint(frameRate.denominator)
        out.appendVarint(intraPeriod)
        out.append(UInt8(bitDepth))
        out.append(chromaFormat.rawValue)
        out.append(UInt8(color.chromaLocation))
        out.append(UInt8(color.primaries))
        out.append(UInt8(color.transfer))
        out.append(UInt8(color.matrix.h273Code))
        out.append(color.range == .full ? 1 : 0)
        out.appendVarint(tools.count)
        for (key, value) in sortedTools {
            out.appendShortString(Array(key.utf8))
            switch value {
            case .int(let v):
                out.append(0)
                out.appendSignedVarint(v)
            case .string(let s):
                out.append(1)
                out.appendShortString(Array(s.utf8))
            }
        }
        out.appendVarint(weights.count)
        for w in weights {
            out.appendShortString(Array(w.name.utf8))
            out.append(contentsOf: w.sha256)
        }
        out.appendVarint(substreamNames.count)
        for n in substreamNames { out.appendShortString(Array(n.utf8)) }
        return out
    }

    /// Parses and checks a sequence header payload, field by field in syntax order (spec §7 step 10).
    static func decode(_ c: inout PayloadCursor) throws -> SequenceHeader {
        let maxCount = UInt64(ContainerFormat.maxCount)
        let frameCount = try c.u32("frame_count")
        if UInt64(frameCount) > maxCount {
            throw c.fail(.limitExceeded(field: "frame_count", value: UInt64(frameCount), limit: maxCount))
        }
        let width = try c.count("width", max: ContainerFormat.dimensionRange.upperBound)
        if width < 1 { throw c.fail(.invalidField(field: "width", detail: "0")) }
        let height = try c.count("height", max: ContainerFormat.dimensionRange.upperBound)
        if height < 1 { throw c.fail(.invalidField(field: "height", detail: "0")) }
        let num = try c.count("frame_rate_num", max: ContainerFormat.maxCount)
        if num < 1 { throw c.fail(.invalidField(field: "frame_rate_num", detail: "0")) }
        let den = try c.count("frame_rate_den", max: ContainerFormat.maxCount)
        if den < 1 { throw c.fail(.invalidField(field: "frame_rate_den", detail: "0")) }
        let intraPeriod = try c.count("intra_period", max: ContainerFormat.maxCount)
        let bitDepth = Int(try c.u8("bit_depth"))
        if !ContainerFormat.bitDepthRange.contains(bitDepth) {
            throw c.fail(.invalidField(field: "bit_depth", detail: "\(bitDepth) is outside 8...16"))
        }
        let chromaRaw = try c.u8("chroma_format")
        guard let chroma = ChromaFormat(rawValue: chromaRaw) else {
            throw c.fail(.invalidField(field: "chroma_format", detail: "\(chromaRaw) is not 0...3"))
        }
        let location = try c.u8("chroma_location")
        if location > 5 { throw c.fail(.invalidField(field: "chroma_location", detail: "\(location) is not 0...5")) }
        let primaries = try c.u8("colour_primaries")
        let transfer = try c.u8("transfer_characteristics")
        let matrixCode = try c.u8("matrix_coefficients")
        guard let matrix = ColorMatrix(h273Code: Int(matrixCode)) else {
            throw c.fail(.invalidField(field: "matrix_coefficients", detail: "\(matrixCode) is not a YCbCr matrix of spec/colour.md (1, 2, 4, 5, 6, 7, 9)"))
        }
        let range = try c.u8("full_range")
        if range > 1 { throw c.fail(.invalidField(field: "full_range", detail: "\(range) is not 0 or 1")) }

        let toolCount = try c.count("tool_count", max: ContainerFormat.maxTools)
        var tools: [String: ToolValue] = [:]
        var previousKey: [UInt8]? = nil
        for _ in 0..<toolCount {
            let key = try c.name("tool key", maxLength: ContainerFormat.maxToolKeyLength)
            let keyBytes = Array(key.utf8)
            if let previousKey, !previousKey.lexicographicallyPrecedes(keyBytes) {
                throw c.fail(.invalidField(field: "tool key", detail: "\(key) is not after the previous key"))
            }
            previousKey = keyBytes
            let kind = try c.u8("kind of tool \(key)")
            switch kind {
            case 0: tools[key] = .int(try c.signedVarint("value of tool \(key)"))
            case 1: tools[key] = .string(try c.text("value of tool \(key)", maxLength: ContainerFormat.maxToolStringLength))
            default: throw c.fail(.invalidField(field: "kind of tool \(key)", detail: "\(kind) is not 0 or 1"))
            }
        }

        let weightCount = try c.count("weight_count", max: ContainerFormat.maxWeights)
        var weights: [WeightRef] = []
        for _ in 0..<weightCount {
            let name = try c.name("weight name", maxLength: ContainerFormat.maxWeightNameLength)
            if weights.contains(where: { $0.name == name }) {
                throw c.fail(.invalidField(field: "weight name", detail: "\(name) appears twice"))
            }
            weights.append(WeightRef(name: name, sha256: try c.fixed("sha256 of weight \(name)", count: 32)))
        }

        let nameCount = try c.count("substream_name_count", max: ContainerFormat.maxSubstreamNames)
        var names: [String] = []
        for _ in 0..<nameCount {
            let name = try c.name("substream name", maxLength: ContainerFormat.maxSubstreamNameLength)
            if names.contains(name) {
                throw c.fail(.invalidField(field: "substream name", detail: "\(name) appears twice"))
            }
            names.append(name)
        }
        try c.expectEnd()

        let color = ColorInfo(matrix: matrix, range: range == 1 ? .full : .limited, primaries: Int(primaries),
                              transfer: Int(transfer), chromaLocation: Int(location))
        return SequenceHeader(width: width, height: height, frameRate: FrameRate(num, den),
                              frameCount: Int(frameCount), intraPeriod: intraPeriod, bitDepth: bitDepth,
                              chromaFormat: chroma, color: color,
                              tools: tools, weights: weights, substreamNames: names)
    }
}
