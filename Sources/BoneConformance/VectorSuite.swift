import BoneExact
import BoneLayers
import Foundation

/// Reading, writing and checking vector files.
public enum VectorSuite {
  /// The JSON text of a file: sorted keys, two-space indentation, a final
  /// newline; the same bytes on every run.
  public static func encode(_ file: VectorFile) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    var data = try encoder.encode(file)
    data.append(0x0A)
    return data
  }

  /// Reads a vector file.
  ///
  /// - Throws: `VectorInputError` naming the file and, where the decoder
  ///   says, the path to the bad value.
  public static func decode(_ data: Data, name: String) throws -> VectorFile {
    do {
      return try JSONDecoder().decode(VectorFile.self, from: data)
    } catch let DecodingError.dataCorrupted(context) {
      // For a syntax error JSONSerialization's message names the line and column.
      var underlying = ""
      do {
        _ = try JSONSerialization.jsonObject(with: data)
      } catch {
        let message = "\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)"
        underlying = " (\(message)\(lineAndColumn(of: message, in: data)))"
      }
      throw VectorInputError("\(name): not valid JSON or not a vector file at \(path(context.codingPath)): \(context.debugDescription)\(underlying)")
    } catch let DecodingError.keyNotFound(key, context) {
      throw VectorInputError("\(name): missing \"\(key.stringValue)\" at \(path(context.codingPath))")
    } catch let DecodingError.typeMismatch(_, context) {
      throw VectorInputError("\(name): wrong type at \(path(context.codingPath)): \(context.debugDescription)")
    } catch let DecodingError.valueNotFound(_, context) {
      throw VectorInputError("\(name): missing value at \(path(context.codingPath))")
    } catch {
      throw VectorInputError("\(name): \(error)")
    }
  }

  /// ", line L, column C" for a parser message that names a character offset.
  static func lineAndColumn(of message: String, in data: Data) -> String {
    guard let range = message.range(of: "character "),
      let offset = Int(message[range.upperBound...].prefix { $0.isNumber }), offset <= data.count
    else { return "" }
    let before = data.prefix(offset)
    let line = before.filter { $0 == 0x0A }.count + 1
    let column = offset - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
    return ", line \(line), column \(column)"
  }

  static func path(_ codingPath: [CodingKey]) -> String {
    codingPath.isEmpty ? "the top" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
  }

  /// The manifest: every file's SHA-256 and counts, in name order.
  public static func manifest(_ files: [String: Data], tests: [String: Int]) -> Data {
    var lines = ["{", "  \"files\": ["]
    let names = files.keys.sorted()
    for (index, name) in names.enumerated() {
      let digest = SHA256.hex(Array(files[name] ?? Data()))
      let comma = index == names.count - 1 ? "" : ","
      lines.append("    {\"name\": \"\(name)\", \"numberOfTests\": \(tests[name] ?? 0), \"bytes\": \(files[name]?.count ?? 0), \"sha256\": \"\(digest)\"}\(comma)")
    }
    lines.append("  ],")
    lines.append("  \"generatorVersion\": \"\(VectorGenerator.version)\",")
    lines.append("  \"numberOfTests\": \(tests.values.reduce(0, +)),")
    lines.append("  \"specVersion\": \"\(VectorGenerator.specVersion)\"")
    lines.append("}")
    return Data((lines.joined(separator: "\n") + "\n").utf8)
  }

  /// Generates every file and the manifest, as bytes by file name.
  public static func generate() throws -> [String: Data] {
    let files = try VectorGenerator().files()
    var bytes: [String: Data] = [:]
    for (name, file) in files { bytes[name] = try encode(file) }
    bytes["MANIFEST.json"] = manifest(bytes, tests: files.mapValues(\.numberOfTests))
    return bytes
  }

  /// The problems of a file: schema version, counts, unique tcIds, defined
  /// flags, known requirement IDs, results and group types.
  public static func lint(_ file: VectorFile, name: String, requirementIDs: Set<String>) -> [String] {
    var problems: [String] = []
    if file.schema != VectorGenerator.schema { problems.append("\(name): schema \(file.schema), expected \(VectorGenerator.schema)") }
    let tests = file.testGroups.flatMap(\.tests)
    if tests.count != file.numberOfTests { problems.append("\(name): numberOfTests \(file.numberOfTests) but \(tests.count) tests") }
    var seen = Set<Int>()
    for test in tests {
      let place = "\(name) tcId \(test.tcId)"
      if !seen.insert(test.tcId).inserted { problems.append("\(place): duplicate tcId") }
      for flag in test.flags where file.notes[flag] == nil { problems.append("\(place): flag \(flag) is not defined in notes") }
      for id in test.requirements where !requirementIDs.contains(id) { problems.append("\(place): requirement \(id) is not in Spec/BONE.md") }
      if test.requirements.isEmpty { problems.append("\(place): cites no requirement") }
      if !["valid", "invalid", "acceptable"].contains(test.result) { problems.append("\(place): result \(test.result)") }
      if test.result == "acceptable" && test.error == nil { problems.append("\(place): acceptable but names no error") }
      if test.result == "invalid" && test.error == nil && !(test.steps ?? []).contains(where: { $0.expect.error != nil }) {
        problems.append("\(place): invalid but names no error")
      }
    }
    for group in file.testGroups where !["LayerScenario", "Rounding", "Config", "Targeting", "Checkpoint"].contains(group.type) {
      problems.append("\(name): unknown group type \(group.type)")
    }
    let unused = Set(file.notes.keys).subtracting(tests.flatMap(\.flags))
    for flag in unused.sorted() { problems.append("\(name): note \(flag) is used by no test") }
    return problems
  }

  /// The requirement IDs defined in the spec text (`### ID: title`).
  public static func requirementIDs(inSpec text: String) -> Set<String> {
    var ids = Set<String>()
    for line in text.split(separator: "\n") where line.hasPrefix("### ") {
      let rest = line.dropFirst(4)
      if let colon = rest.firstIndex(of: ":") { ids.insert(String(rest[..<colon])) }
    }
    return ids
  }
}
