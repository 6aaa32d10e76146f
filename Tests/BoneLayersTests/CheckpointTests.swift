import BoneLayers
import Testing

/// Saved names and the MiSS conversion (`CKPT-*`).
@Suite struct CheckpointTests {
  /// CKPT-NAME-1.
  @Test func blocksAreSavedUnderTheModulePathWithoutTheAdapterName() {
    #expect(Checkpoint.tensorName(modulePath: "base_model.model.model.layers.0.self_attn.q_proj") == "base_model.model.model.layers.0.self_attn.q_proj.bone_block")
    #expect(Checkpoint.savedName(stateDictKey: "base_model.model.q_proj.bone_block.default", adapterName: "default") == "base_model.model.q_proj.bone_block")
    #expect(Checkpoint.savedName(stateDictKey: "base_model.model.default.q_proj.bone_block.other", adapterName: "default") == "base_model.model.default.q_proj.bone_block.other")
    #expect(Checkpoint.savedName(stateDictKey: "base_model.model.q_proj.base_layer.weight", adapterName: "default") == nil)
  }

  /// CKPT-MISS-1.
  @Test func missConversionRenamesTensorsAndPeftType() throws {
    #expect(Checkpoint.missTensorName("base_model.model.q_proj.bone_block") == "base_model.model.q_proj.miss_block")
    let config = try BoneConfig(r: 4).adapterConfigJSON
    guard case .object(let object) = Checkpoint.missConfig(config) else {
      Issue.record("not an object")
      return
    }
    #expect(object["peft_type"] == .string("MISS"))
    #expect(object["r"] == .number(4))
  }
}
