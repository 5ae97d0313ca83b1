// swift-tools-version:6.0
// The DCVC-VQ neural video codec. See README.md and spec/ for the bitstream.
import PackageDescription

#if arch(x86_64)
/// AVX2 code generation (Haswell and later). Results stay bit-identical to SSE builds: Swift never
/// contracts a * b + c into an FMA, so wider vectors only change speed.
let vectorFlags = ["-target-cpu", "haswell"]
#else
let vectorFlags: [String] = []
#endif

/// Release builds of the numeric targets skip exclusivity checks in hot loops.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"] + vectorFlags, .when(configuration: .release)),
    // Debug builds still optimise the numeric code: unoptimised SIMD generics run ~1000x slower,
    // which would make decode-path tests take minutes.
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "dcvc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dcvc-enc", targets: ["dcvc-enc"]),
        .executable(name: "dcvc-dec", targets: ["dcvc-dec"]),
        .executable(name: "dcvc-info", targets: ["dcvc-info"]),
        .executable(name: "dcvc-bench", targets: ["dcvc-bench"]),
        .executable(name: "dcvc-eval", targets: ["dcvc-eval"]),
        .executable(name: "dcvc-train", targets: ["dcvc-train"]),
        // Libraries for packages built on this one: fuzzing/ links them under sanitizers.
        .library(name: "DCVCLibraries", targets: ["Bitstream", "Checksum", "Codec", "Media", "Tensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: headers via a shim, flags via pkg-config, packages via apt.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // Libraries, bottom up.
        .target(name: "Checksum", swiftSettings: numericSettings),
        // Tensor storage, threads, RNG, safetensors: no BLAS.
        .target(name: "Tensor", dependencies: ["Checksum"], swiftSettings: numericSettings),
        // The decoder's bit-exact kernels (spec/deterministic-math.md): the core only.
        .target(name: "Deterministic", dependencies: ["Tensor"], swiftSettings: numericSettings),
        // Training kernels (OpenBLAS), autograd, losses, optimizers, checkpoints.
        .target(name: "TensorTraining", dependencies: ["Tensor", "COpenBLAS"], swiftSettings: numericSettings),
        .target(name: "Entropy", swiftSettings: numericSettings),
        .target(name: "Media", dependencies: ["CFFmpeg", "Bitstream"], swiftSettings: numericSettings),
        .target(name: "Bitstream", dependencies: ["Checksum"]),
        // Architectures over LayerBackend; decoding on Deterministic. Never the training side.
        .target(name: "Models", dependencies: ["Tensor", "Deterministic"], swiftSettings: numericSettings),
        // The models' autograd side: TrainingBackend, the transformer's training ops, the
        // straight-through estimators, parameter registration, the BLAS RVQ encoder.
        .target(name: "ModelsTraining", dependencies: ["Models", "Tensor", "TensorTraining"], swiftSettings: numericSettings),
        // Stream syntax and the decoder: what dcvc-dec links.
        .target(name: "Codec", dependencies: ["Models", "Tensor", "Deterministic", "Entropy", "Media", "Bitstream", "Checksum"],
                swiftSettings: numericSettings),
        // The encoder's analysis (training kernels) and the stream encoder.
        .target(name: "CodecEncoder", dependencies: ["Codec", "Models", "ModelsTraining", "Tensor", "Media", "Bitstream",
                                                     "Checksum"],
                swiftSettings: numericSettings),
        // The SVG line-chart writer (RD plots, training loss curves).
        .target(name: "Plotting"),
        .target(name: "Training", dependencies: ["Models", "ModelsTraining", "Tensor", "TensorTraining", "Media", "CZstd",
                                                 "Plotting"],
                swiftSettings: numericSettings),
        .target(name: "Evaluation", dependencies: ["Media", "Tensor", "TensorTraining", "Checksum", "Codec", "Plotting"],
                swiftSettings: numericSettings),
        // Tensor for HeapTuning only (no BLAS: dcvc-dec links this).
        .target(name: "ToolSupport", dependencies: [
            "Tensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Command-line tools: thin wrappers over the libraries.
        .executableTarget(name: "dcvc-enc", dependencies: [
            "ToolSupport", "Codec", "CodecEncoder", "Media", "Bitstream", "Checksum", "Tensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dcvc-dec", dependencies: [
            "ToolSupport", "Codec", "Media", "Bitstream", "Tensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dcvc-info", dependencies: [
            "ToolSupport", "Bitstream", "Codec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dcvc-eval", dependencies: [
            "ToolSupport", "Evaluation", "Media",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dcvc-bench", dependencies: [
            "ToolSupport", "Tensor", "Deterministic", "TensorTraining", "Entropy", "COpenBLAS", "Models", "Training",
            "Codec", "CodecEncoder", "Media", "Bitstream",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: numericSettings),

        .executableTarget(name: "dcvc-train", dependencies: [
            "ToolSupport", "Training", "Models", "ModelsTraining", "Tensor", "TensorTraining", "Codec", "CodecEncoder",
            "Media", "Entropy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: numericSettings),

        // Tests sit beside the module they test.
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "Deterministic", "TensorTraining", "ToolTesting"]),
        .testTarget(name: "EntropyTests", dependencies: ["Entropy", "ToolTesting"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "ToolTesting"]),
        .target(name: "ToolTesting", path: "Tests/ToolTesting"),
        .testTarget(name: "BitstreamTests", dependencies: ["Bitstream", "ToolTesting"]),
        .testTarget(name: "CodecTests", dependencies: ["Codec", "CodecEncoder", "Models", "ModelsTraining", "Tensor",
                                                    "TensorTraining", "ToolTesting"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Media", "Plotting", "Tensor", "TensorTraining",
                                                          "ToolTesting"]),
        .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport"]),
        // dcvc-bench's subcommands, run as a process (ToolRunner).
        .testTarget(name: "BenchTests", dependencies: ["Media", "ToolTesting"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelsTraining", "Tensor", "Deterministic", "TensorTraining"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "ModelsTraining", "Tensor", "TensorTraining",
                                                          "Media", "Plotting", "Entropy", "ToolTesting"]),
    ],
    swiftLanguageModes: [.v5]
)
