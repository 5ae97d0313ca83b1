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
        .target(name: "Tensor", dependencies: ["COpenBLAS", "Checksum"], swiftSettings: numericSettings),
        .target(name: "Entropy", swiftSettings: numericSettings),
        .target(name: "Media", dependencies: ["CFFmpeg", "Bitstream"], swiftSettings: numericSettings),
        .target(name: "Bitstream", dependencies: ["Checksum"]),
        .target(name: "Models", dependencies: ["Tensor"], swiftSettings: numericSettings),
        .target(name: "Codec", dependencies: ["Models", "Tensor", "Entropy", "Media", "Bitstream", "Checksum"],
                swiftSettings: numericSettings),
        .target(name: "Training", dependencies: ["Models", "Tensor", "Media", "CZstd"], swiftSettings: numericSettings),
        .target(name: "Evaluation", dependencies: ["Media", "Tensor", "Checksum", "Codec"], swiftSettings: numericSettings),
        .target(name: "ToolSupport", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Command-line tools: thin wrappers over the libraries.
        .executableTarget(name: "dcvc-enc", dependencies: [
            "ToolSupport", "Codec", "Media", "Bitstream", "Tensor",
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
            "ToolSupport", "Tensor", "Entropy", "COpenBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: numericSettings),

        .executableTarget(name: "dcvc-train", dependencies: [
            "ToolSupport", "Training", "Models", "Tensor", "Codec", "Media", "Entropy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: numericSettings),

        // Tests sit beside the module they test.
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "ToolTesting"]),
        .testTarget(name: "EntropyTests", dependencies: ["Entropy", "ToolTesting"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "ToolTesting"]),
        .target(name: "ToolTesting", path: "Tests/ToolTesting"),
        .testTarget(name: "BitstreamTests", dependencies: ["Bitstream", "ToolTesting"]),
        .testTarget(name: "CodecTests", dependencies: ["Codec", "Models", "Tensor", "ToolTesting"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Media", "ToolTesting"]),
        .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tensor"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Tensor", "Media"]),
    ],
    swiftLanguageModes: [.v5]
)
