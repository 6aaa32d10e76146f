import Foundation

/// Tensor names and configs of saved adapters (`CKPT-*` of `Spec/BONE.md` §9).
public enum Checkpoint {
  /// The saved name of the block of the module at `modulePath` (`CKPT-NAME-1`).
  public static func tensorName(modulePath: String) -> String {
    "\(modulePath).bone_block"
  }

  /// The saved name of a live state-dict key: the trailing `.<adapter name>`
  /// is removed from keys of BONE parameters (`CKPT-NAME-1`); other keys are
  /// not saved (nil).
  public static func savedName(stateDictKey key: String, adapterName: String) -> String? {
    guard key.contains("bone_") else { return nil }
    let suffix = ".\(adapterName)"
    return key.hasSuffix(suffix) ? String(key.dropLast(suffix.count)) : key
  }

  /// The MiSS name of a BONE tensor name: every `.bone_` becomes `.miss_` (`CKPT-MISS-1`).
  public static func missTensorName(_ name: String) -> String {
    name.replacingOccurrences(of: ".bone_", with: ".miss_")
  }

  /// The MiSS config of a BONE `adapter_config.json` object: `peft_type` MISS,
  /// everything else kept (`CKPT-MISS-1`).
  public static func missConfig(_ config: JSONValue) -> JSONValue {
    guard case .object(var object) = config else { return config }
    object["peft_type"] = .string("MISS")
    return .object(object)
  }
}
