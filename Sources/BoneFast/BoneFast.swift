// BoneFast: the fast Float implementation of BONE and BAT (SIMD kernels,
// threads), held to the exact reference by the bounds of Spec/BONE.md.
//
// Its storage types and formats come from BoneNumerics and its storage
// protocol and instruction choice from BoneKernels, re-exported here so that
// a client of the fast implementation needs one import.
@_exported import BoneKernels
@_exported import BoneLayers
@_exported import BoneNumerics
