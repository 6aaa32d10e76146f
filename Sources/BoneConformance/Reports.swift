import Foundation

/// The reports of a conformance run.
public enum ConformanceReport {
  /// The per-requirement table: cases passed and failed per ID.
  public static func requirementTable(_ verdicts: [CaseVerdict], expected: Set<String>) -> String {
    var rows: [String: (passed: Int, failed: Int, expected: Int)] = [:]
    for verdict in verdicts where verdict.status != "skipped" {
      for id in verdict.requirements {
        var row = rows[id] ?? (0, 0, 0)
        if verdict.status == "passed" {
          row.passed += 1
        } else if expected.contains(verdict.id) {
          row.expected += 1
        } else {
          row.failed += 1
        }
        rows[id] = row
      }
    }
    var lines = ["| requirement | passed | failed | expected failures |", "| --- | --- | --- | --- |"]
    for id in rows.keys.sorted() {
      guard let row = rows[id] else { continue }
      lines.append("| \(id) | \(row.passed) | \(row.failed) | \(row.expected) |")
    }
    return lines.joined(separator: "\n")
  }

  /// Every verdict as JSON.
  public static func json(_ verdicts: [CaseVerdict], testee: String) throws -> Data {
    struct Report: Encodable {
      var testee: String
      var cases: [CaseVerdict]
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return try encoder.encode(Report(testee: testee, cases: verdicts))
  }

  /// JUnit XML: one test case per vector case.
  public static func junit(_ verdicts: [CaseVerdict], expected: Set<String>) -> String {
    func escape(_ text: String) -> String {
      text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    let failures = verdicts.filter { !["passed", "skipped"].contains($0.status) && !expected.contains($0.id) }.count
    var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<testsuite name=\"bone-conformance\" tests=\"\(verdicts.count)\" failures=\"\(failures)\">"]
    for verdict in verdicts {
      lines.append("  <testcase classname=\"\(escape(verdict.requirements.first ?? "vectors"))\" name=\"\(escape(verdict.id))\">")
      switch verdict.status {
      case "passed": break
      case "skipped": lines.append("    <skipped message=\"\(escape(verdict.details.first ?? ""))\"/>")
      default:
        let kind = expected.contains(verdict.id) ? "skipped" : "failure"
        lines.append("    <\(kind) message=\"\(escape(verdict.status))\">\(escape(verdict.details.joined(separator: "\n")))</\(kind)>")
      }
      lines.append("  </testcase>")
    }
    lines.append("</testsuite>")
    return lines.joined(separator: "\n") + "\n"
  }
}
