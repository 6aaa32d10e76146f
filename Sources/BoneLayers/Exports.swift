@_exported import BoneNumerics
