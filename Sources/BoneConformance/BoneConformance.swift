// BoneConformance: the conformance runner that drives an implementation (a
// testee process) through the golden vectors and reports, per requirement of
// Spec/BONE.md, what it got right.
//
// It speaks in the storage types of BoneNumerics, re-exported here.
@_exported import BoneNumerics
