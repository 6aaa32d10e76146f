import BoneTestSupport
import Testing

@Suite struct SettingsTests {
  @Test func environmentVariablesAreParsed() throws {
    let variables = [
      "BONE_PROPERTY_SEED": "0x1f", "BONE_PROPERTY_CASES": "12",
      "BONE_PROPERTY_REPLAY": "00000000000000ab:1.ff.0",
    ]
    let settings = try PropertySettings.fromVariables { variables[$0] }
    #expect(settings.seed == 31)
    #expect(settings.casesOverride == 12)
    #expect(settings.replay?.choices == [1, 255, 0])
    #expect(settings.replay?.propertyHash == 0xab)
  }

  @Test func missingVariablesGiveDefaults() throws {
    let settings = try PropertySettings.fromVariables { _ in nil }
    #expect(settings == PropertySettings())
  }

  @Test(arguments: [
    ("BONE_PROPERTY_SEED", "twelve"), ("BONE_PROPERTY_SEED", "-1"), ("BONE_PROPERTY_CASES", "0"),
    ("BONE_PROPERTY_CASES", "many"), ("BONE_PROPERTY_REPLAY", "abc"), ("BONE_PROPERTY_REPLAY", "00000000000000ab:1..2"),
    ("BONE_PROPERTY_REPLAY", "00000000000000ab:xyz"),
  ])
  func badVariableIsAnErrorNamingIt(variable: String, value: String) {
    do {
      _ = try PropertySettings.fromVariables { $0 == variable ? value : nil }
      Issue.record("\(variable)=\(value) was accepted")
    } catch {
      #expect(error.variable == variable && error.value == value)
      #expect(error.description.contains(variable))
    }
  }

  @Test func replayTokenTextRoundTrips() throws {
    for choices: [UInt64] in [[], [0], [1, 2, 3], [.max, 0, 17]] {
      let token = ReplayToken(propertyName: "p", choices: choices)
      #expect(ReplayToken(token.description) == token)
    }
  }
}
