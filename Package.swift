// swift-tools-version:6.0
//
// bone-spec: a reference specification and conformance suite for the BONE and
// BAT weight transforms. Targets are grouped by role, as in apple/swift-numerics.

import PackageDescription

// MARK: - Public API

let publicProducts: [Product] = [
  .library(name: "BoneNumerics", targets: ["BoneNumerics"]),
  .library(name: "BoneLayers", targets: ["BoneLayers"]),
  .library(name: "BoneExact", targets: ["BoneExact"]),
  .library(name: "BoneFast", targets: ["BoneFast"]),
  .library(name: "BoneConformance", targets: ["BoneConformance"]),
  .executable(name: "bone", targets: ["bone"]),
]

let publicTargets: [Target] = [
  // Storage types and their formats (float64, float32, float16, bfloat16).
  .target(name: "BoneNumerics"),
  // The semantics of adapted layers: the state machine over an arithmetic
  // backend, configuration, targeting and checkpoint naming.
  .target(name: "BoneLayers", dependencies: ["BoneNumerics"]),
  // Exact rational arithmetic over GMP and correct rounding; the exact reference.
  .target(name: "BoneExact", dependencies: ["CGMP", "BoneNumerics", "BoneLayers"]),
  // The fast implementation: a layer backend over the fast kernels.
  .target(name: "BoneFast", dependencies: ["BoneNumerics", "BoneLayers", "BoneKernels", "BoneKernelsAVX2"]),
  // The conformance runner and the vocabulary it reports in.
  .target(name: "BoneConformance", dependencies: ["BoneNumerics", "BoneLayers", "BoneExact", "BoneFast"]),
  // The command-line tool.
  .executableTarget(
    name: "bone",
    dependencies: ["BoneNumerics", "BoneLayers", "BoneExact", "BoneFast", "BoneConformance"]),
]

// MARK: - Implementation details

// The AVX2 copy of the kernels is compiled for Haswell and later, its 512-bit
// micro-kernels for Skylake-SP and later. The flags are
// what makes this package usable as a dependency only from a local path; set
// BONE_PORTABLE_BUILD=1 to build every module for the architecture's baseline.
#if arch(x86_64)
  let portableBuild = Context.environment["BONE_PORTABLE_BUILD"] == "1"
  let avx2Settings: [SwiftSetting] = portableBuild ? [] : [.unsafeFlags(["-target-cpu", "haswell"])]
  let avx512Settings: [SwiftSetting] = portableBuild ? [] : [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
  let kernelSettings: [SwiftSetting] = portableBuild ? [.define("BONE_PORTABLE_BUILD")] : []
#else
  let avx2Settings: [SwiftSetting] = []
  let avx512Settings: [SwiftSetting] = []
  let kernelSettings: [SwiftSetting] = [.define("BONE_PORTABLE_BUILD")]
#endif

let implementationTargets: [Target] = [
  // The C boundary: GMP through pkg-config, plus a shim for GMP's macro-only API.
  // Only BoneExact imports it.
  .systemLibrary(
    name: "CGMP",
    pkgConfig: "gmp",
    providers: [.apt(["libgmp-dev", "pkg-config"])]),
  // The fast kernels, generic over the instructions they may use, and their
  // portable copy; which copy runs is chosen at run time from CPUID.
  .target(name: "BoneKernels", dependencies: ["BoneNumerics", "CBoneCPU"], swiftSettings: kernelSettings),
  // The same kernels compiled for AVX2, FMA and F16C.
  .target(
    name: "BoneKernelsAVX2", dependencies: ["BoneNumerics", "BoneKernels", "BoneKernelsAVX512"], swiftSettings: avx2Settings),
  // The 512-bit kernels (BAT tile products and inversion steps, forward dot
  // products, half-precision BONE merge rows), on raw pointers only, compiled
  // for AVX-512.
  .target(name: "BoneKernelsAVX512", dependencies: ["CBoneDotBF16"], swiftSettings: avx512Settings),
  // The C boundary of the kernels: CPUID and XGETBV. Only BoneKernels imports it.
  .target(name: "CBoneCPU"),
  // The one 512-bit instruction Swift cannot emit, VDPBF16PS (AVX512_BF16),
  // in a micro-kernel compiled for it by a function attribute (the rest of the
  // file stays baseline). Only BoneKernelsAVX512 imports it.
  .target(name: "CBoneDotBF16"),
  // Property-based testing on Swift Testing: choice sequences, generators, shrinking.
  .target(name: "BoneTestSupport", dependencies: ["BoneNumerics", "BoneLayers", "BoneExact"]),
]

// MARK: - Tests

let testTargets: [Target] = [
  .testTarget(name: "BoneNumericsTests", dependencies: ["BoneNumerics", "BoneExact", "BoneTestSupport"]),
  .testTarget(
    name: "BoneExactTests", dependencies: ["BoneExact", "BoneNumerics", "BoneTestSupport"]),
  .testTarget(
    name: "BoneLayersTests", dependencies: ["BoneLayers", "BoneExact", "BoneNumerics", "BoneTestSupport"]),
  .testTarget(
    name: "BoneFastTests", dependencies: ["BoneFast", "BoneKernels", "BoneExact", "BoneLayers", "BoneNumerics", "BoneTestSupport"]),
  .testTarget(
    name: "BoneConformanceTests", dependencies: ["BoneConformance", "BoneExact", "BoneFast", "BoneLayers", "BoneNumerics"]),
  .testTarget(
    name: "BoneTestSupportTests", dependencies: ["BoneTestSupport", "BoneNumerics", "BoneExact"]),
]

let package = Package(
  name: "bone-spec",
  products: publicProducts,
  targets: publicTargets + implementationTargets + testTargets
)
