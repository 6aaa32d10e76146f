/// FNV-1a over UTF-8: a stable 64-bit hash of a property's name (Swift's
/// `Hasher` is seeded per process, so it cannot name a property across runs).
func stableHash(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 {
    hash ^= UInt64(byte)
    hash &*= 0x0000_0100_0000_01B3
  }
  return hash
}
