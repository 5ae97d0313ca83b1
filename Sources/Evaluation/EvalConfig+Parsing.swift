import Foundation

extension EvalConfig {
    /// Reads and validates a JSON config; every error names the file and the key.
    public static func load(path: String) throws -> EvalConfig {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            throw ConfigError(file: path, key: nil, "YAML configs are not supported; write the config as JSON (see docs/evaluation.md)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: nil, FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try parse(data, path: path)
    }

    /// Parses and validates config JSON; `path` is used in error messages and the report.
    public static func parse(_ data: Data, path: String) throws -> EvalConfig {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw ConfigError(file: path, key: nil, "not valid JSON (\(error.localizedDescription))")
        }
        let r = try JSONObject(root, file: path, key: nil)
        try r.allowOnly(["name", "description", "output", "frames", "intra_period", "datasets", "anchor",
                         "extra_anchors", "metrics", "threads", "lpips_weights", "fid_weights", "bd_max_bpp", "methods"])
        let intraPeriod = try r.int("intra_period", min: 1)
        let methodsList = try r.array("methods")
        guard !methodsList.isEmpty else { throw ConfigError(file: path, key: "methods", "lists no method") }
        var methods: [EvalMethod] = []
        for (i, m) in methodsList.enumerated() {
            let method = try parseMethod(JSONObject(m, file: path, key: "methods[\(i)]"), intraPeriod: intraPeriod)
            if methods.contains(where: { $0.name == method.name }) {
                throw ConfigError(file: path, key: "methods[\(i)].name", "'\(method.name)' is used by another method")
            }
            methods.append(method)
        }
        let metricNames = try r.optionalStrings("metrics") ?? EvalConfig.Metric.defaults.map(\.rawValue)
        var metrics = Set<Metric>()
        for (i, name) in metricNames.enumerated() {
            guard let m = Metric(rawValue: name) else {
                throw ConfigError(file: path, key: "metrics[\(i)]",
                                  "unknown metric '\(name)'; known: \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            metrics.insert(m)
        }
        metrics.insert(.psnr)
        let datasets = try r.strings("datasets")
        guard !datasets.isEmpty else { throw ConfigError(file: path, key: "datasets", "lists no video") }
        let anchor = try r.optionalString("anchor")
        if let anchor, !methods.contains(where: { $0.name == anchor }) {
            throw ConfigError(file: path, key: "anchor", "'\(anchor)' is not the name of a method (\(methods.map(\.name).joined(separator: ", ")))")
        }
        let extraAnchors = try r.optionalStrings("extra_anchors") ?? []
        for (i, a) in extraAnchors.enumerated() {
            guard methods.contains(where: { $0.name == a }) else {
                throw ConfigError(file: path, key: "extra_anchors[\(i)]", "'\(a)' is not the name of a method (\(methods.map(\.name).joined(separator: ", ")))")
            }
            guard a != anchor, !extraAnchors[..<i].contains(a) else {
                throw ConfigError(file: path, key: "extra_anchors[\(i)]", "'\(a)' is already an anchor")
            }
        }
        if !extraAnchors.isEmpty && anchor == nil {
            throw ConfigError(file: path, key: "extra_anchors", "needs an anchor (the first method BD figures are measured against)")
        }
        var threads: Int?
        if r.has("threads") { threads = try r.int("threads", min: 1) }
        var config = EvalConfig(name: try r.name("name"), description: try r.optionalString("description"),
                                output: try r.string("output"), frames: try r.int("frames", min: 1),
                                intraPeriod: intraPeriod, datasets: datasets, anchor: anchor,
                                extraAnchors: extraAnchors, metrics: metrics,
                                threads: threads, lpipsWeights: try r.optionalString("lpips_weights"),
                                methods: methods, path: path)
        config.fidWeights = try r.optionalString("fid_weights")
        if r.has("bd_max_bpp") {
            let cap = try r.double("bd_max_bpp")
            guard cap > 0 else { throw ConfigError(file: path, key: "bd_max_bpp", "must be a rate above 0 bits per pixel") }
            config.bdMaxBpp = cap
        }
        return config
    }

    /// Options the runner sets itself; a method or point that also sets them is an error.
    static let reservedArgs: Set<String> = ["-o", "--output", "--frames", "--intra-period", "-y", "--overwrite", "--threads"]

    private static func parseMethod(_ m: JSONObject, intraPeriod: Int) throws -> EvalMethod {
        let name = try m.name("name")
        let kindName = try m.string("kind")
        guard let kind = EvalMethod.Kind(rawValue: kindName) else {
            throw m.error("kind", "unknown kind '\(kindName)'; known: \(EvalMethod.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let period = m.has("intra_period") ? try m.int("intra_period", min: 1) : intraPeriod
        var method = EvalMethod(name: name, kind: kind, intraPeriod: period, args: [], points: [],
                                preset: "medium", tune: "zerolatency", params: nil)
        switch kind {
        case .dcvc:
            try m.allowOnly(["name", "kind", "intra_period", "args", "points"])
            method.args = try m.optionalStrings("args") ?? []
            try checkArgs(method.args, m, "args")
            let list = try m.array("points")
            for (i, p) in list.enumerated() {
                let po = try JSONObject(p, file: m.file, key: m.path("points[\(i)]"))
                try po.allowOnly(["label", "args"])
                let point = EvalPoint(label: try po.name("label"), args: try po.strings("args"), crf: nil)
                try checkArgs(point.args, po, "args")
                method.points.append(point)
            }
        case .x265, .x264:
            try m.allowOnly(["name", "kind", "intra_period", "crf", "preset", "tune", "params"])
            method.preset = try m.optionalString("preset") ?? "medium"
            method.tune = try m.optionalString("tune") ?? "zerolatency"
            method.params = try m.optionalString("params")
            for (i, crf) in try m.numbers("crf").enumerated() {
                guard (0...51).contains(crf) else { throw m.error("crf[\(i)]", "\(crf) is outside 0...51") }
                method.points.append(EvalPoint(label: "crf" + formatNumber(crf), args: [], crf: crf))
            }
        }
        guard !method.points.isEmpty else { throw m.error(kind == .dcvc ? "points" : "crf", "lists no rate point") }
        var labels = Set<String>()
        for (i, p) in method.points.enumerated() where !labels.insert(p.label).inserted {
            throw m.error(kind == .dcvc ? "points[\(i)].label" : "crf[\(i)]", "'\(p.label)' appears twice")
        }
        return method
    }

    private static func checkArgs(_ args: [String], _ o: JSONObject, _ key: String) throws {
        for (i, a) in args.enumerated() {
            let option = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if reservedArgs.contains(option) {
                throw o.error("\(key)[\(i)]", "'\(a)' is set by dcvc-eval (use the config's frames, intra_period and threads keys)")
            }
        }
    }
}

/// A number as short as it reads: 27 for 27.0, 27.5 otherwise.
func formatNumber(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
}

/// Typed access to one JSON object of a config, with errors naming the file and key path.
struct JSONObject {
    let dict: [String: Any]
    let file: String
    let key: String?

    init(_ value: Any, file: String, key: String?) throws {
        guard let d = value as? [String: Any] else {
            throw ConfigError(file: file, key: key, "expected an object { ... }")
        }
        dict = d; self.file = file; self.key = key
    }

    func path(_ k: String) -> String { key.map { "\($0).\(k)" } ?? k }
    func error(_ k: String, _ reason: String) -> ConfigError { ConfigError(file: file, key: path(k), reason) }
    func has(_ k: String) -> Bool { dict[k] != nil && !(dict[k] is NSNull) }

    func allowOnly(_ keys: Set<String>) throws {
        if let extra = dict.keys.sorted().first(where: { !keys.contains($0) }) {
            throw error(extra, "unknown key; expected one of \(keys.sorted().joined(separator: ", "))")
        }
    }

    func required(_ k: String) throws -> Any {
        guard has(k), let v = dict[k] else { throw error(k, "missing") }
        return v
    }

    func string(_ k: String) throws -> String {
        guard let s = try required(k) as? String, !s.isEmpty else { throw error(k, "expected a non-empty string") }
        return s
    }

    func optionalString(_ k: String) throws -> String? { has(k) ? try string(k) : nil }

    /// A name used in file names, tables and legends: letters, digits, `.`, `_`, `-`.
    func name(_ k: String) throws -> String {
        let s = try string(k)
        let ok = s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-+".unicodeScalars.contains($0) }
        guard ok else { throw error(k, "'\(s)' may hold only letters, digits, '.', '_', '-' and '+'") }
        return s
    }

    func int(_ k: String, min: Int) throws -> Int {
        let v = try required(k)
        guard let n = v as? NSNumber, !JSONObject.isBoolean(n), let i = Int(exactly: n.doubleValue) else {
            throw error(k, "expected an integer")
        }
        guard i >= min else { throw error(k, "must be at least \(min) (got \(i))") }
        return i
    }

    /// JSON `true`/`false` arrive as NSNumbers too (and `is Bool` holds for 0 and 1); their type code is `c`.
    static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    func array(_ k: String) throws -> [Any] {
        guard let a = try required(k) as? [Any] else { throw error(k, "expected a list [ ... ]") }
        return a
    }

    func strings(_ k: String) throws -> [String] {
        let a = try array(k)
        return try a.enumerated().map { i, v in
            guard let s = v as? String, !s.isEmpty else { throw error("\(k)[\(i)]", "expected a non-empty string") }
            return s
        }
    }

    func optionalStrings(_ k: String) throws -> [String]? { has(k) ? try strings(k) : nil }

    /// A finite JSON number (not `true`/`false`), or nil.
    private static func finiteNumber(_ v: Any) -> Double? {
        guard let n = v as? NSNumber, !isBoolean(n), n.doubleValue.isFinite else { return nil }
        return n.doubleValue
    }

    func double(_ k: String) throws -> Double {
        guard let d = JSONObject.finiteNumber(try required(k)) else { throw error(k, "expected a number") }
        return d
    }

    func numbers(_ k: String) throws -> [Double] {
        try array(k).enumerated().map { i, v in
            guard let d = JSONObject.finiteNumber(v) else { throw error("\(k)[\(i)]", "expected a number") }
            return d
        }
    }
}
