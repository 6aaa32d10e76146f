import BoneNumerics

/// Why a generator could not produce a value from its choices.
public enum GenerationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The generator asked for more choices than a case may make.
  case tooManyChoices(limit: Int)
  /// A filter rejected every one of its attempts.
  case filterRejected(attempts: Int)

  /// A sentence naming the problem.
  public var description: String {
    switch self {
    case .tooManyChoices(let limit): "the generator made more than \(limit) choices for one case"
    case .filterRejected(let attempts): "a filter rejected all \(attempts) of its attempts"
    }
  }
}

/// The source of every decision a generator makes, recorded as a sequence of
/// choices.
///
/// A choice is a number in `0...max`. Drawn at random, it is recorded; replayed,
/// the recorded number is read back, clamped to `max`, and a sequence that runs
/// out reads as zeros. Because every generator is built on choices, the
/// shrinker can simplify any generated value by simplifying its choice
/// sequence (smaller numbers, fewer of them) and running the generator again,
/// with no shrinker per type; and a case is replayed from its choices alone.
/// Generators must map choice 0 to their simplest value.
public struct ChoiceSource {
  private enum Mode {
    case random(SplitMix64)
    case replay([UInt64])
  }

  private var mode: Mode
  /// The choices made so far, as the generator saw them (clamped when replayed).
  public private(set) var choices: [UInt64] = []
  /// The most choices one case may make.
  public let limit: Int

  /// A source that draws uniformly at random.
  public init(random generator: SplitMix64, limit: Int = 100_000) {
    self.mode = .random(generator)
    self.limit = limit
  }

  /// A source that replays `choices`, then zeros.
  public init(replaying choices: [UInt64], limit: Int = 100_000) {
    self.mode = .replay(choices)
    self.limit = limit
  }

  /// Makes one choice in `0...max`.
  ///
  /// - Throws: `GenerationError.tooManyChoices` past `limit`.
  public mutating func choose(upTo max: UInt64) throws(GenerationError) -> UInt64 {
    guard choices.count < limit else { throw .tooManyChoices(limit: limit) }
    let value: UInt64
    switch mode {
    case .random(var generator):
      value = max == .max ? generator.next() : generator.next(upperBound: max + 1)
      mode = .random(generator)
    case .replay(let recorded):
      value = choices.count < recorded.count ? Swift.min(recorded[choices.count], max) : 0
    }
    choices.append(value)
    return value
  }
}
