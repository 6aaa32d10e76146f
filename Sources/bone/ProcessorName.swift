import Foundation

/// The running processor as `bone bench` names it in its header, so that a
/// table says which machine it came from: on Linux the first processor's
/// model name, family and model in `/proc/cpuinfo` (virtual machines often
/// give only the vendor's name, such as "AMD EPYC"); elsewhere "unknown".
enum ProcessorName {
  static func read() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
    /// The value of the first line whose key is `key`.
    func field(_ key: String) -> String? {
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key {
          return parts[1].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
    let name = field("model name") ?? "unknown"
    guard let family = field("cpu family"), let model = field("model") else { return name }
    return "\(name) (family \(family), model \(model))"
  }
}
