/// Shortlex order on choice sequences: shorter is simpler; at equal length,
/// the first smaller choice is simpler.
func isSimpler(_ a: [UInt64], than b: [UInt64]) -> Bool {
  if a.count != b.count { return a.count < b.count }
  for (x, y) in zip(a, b) where x != y { return x < y }
  return false
}

/// A choice sequence without its trailing zeros, which a replay reads anyway.
func normalized(_ choices: [UInt64]) -> [UInt64] {
  var choices = choices
  while choices.last == 0 { choices.removeLast() }
  return choices
}

/// Simplifies a failing choice sequence, Hypothesis-style.
///
/// Passes delete spans, zero spans and minimise single choices; each
/// candidate is replayed through the generator and the property (so it is
/// always a valid case), and kept only when it still fails and is simpler in
/// shortlex order. The passes repeat until a round improves nothing or the
/// budget of property calls is spent.
struct Shrinker {
  /// Replays a choice sequence; returns the choices the generator actually
  /// made when the property failed on them, else nil.
  let failingChoices: ([UInt64]) -> [UInt64]?
  /// The simplest failing sequence found so far.
  private(set) var best: [UInt64]
  /// Property calls made.
  private(set) var calls = 0
  /// Candidates accepted.
  private(set) var improvements = 0
  /// The most property calls the shrinker may make.
  let budget: Int

  init(start: [UInt64], budget: Int, failingChoices: @escaping ([UInt64]) -> [UInt64]?) {
    self.best = normalized(start)
    self.budget = budget
    self.failingChoices = failingChoices
  }

  /// Tries a candidate; keeps it when it fails and is simpler.
  @discardableResult
  private mutating func consider(_ candidate: [UInt64]) -> Bool {
    guard calls < budget, isSimpler(normalized(candidate), than: best) else { return false }
    calls += 1
    guard let result = failingChoices(candidate) else { return false }
    let made = normalized(result)
    guard isSimpler(made, than: best) else { return false }
    best = made
    improvements += 1
    return true
  }

  /// Runs all passes until none improves.
  mutating func shrink() {
    while calls < budget {
      let before = best
      deleteSpans()
      zeroSpans()
      minimiseChoices()
      lowerAndDelete()
      if best == before { break }
    }
  }

  /// Removes spans of 1, 2, 3, 4, 8, 16, … choices.
  private mutating func deleteSpans() {
    var size = 1
    while size <= best.count {
      var start = 0
      while start + size <= best.count, calls < budget {
        var candidate = best
        candidate.removeSubrange(start..<(start + size))
        if !consider(candidate) { start += 1 }
      }
      size = size < 4 ? size + 1 : size * 2
    }
  }

  /// Sets spans of 8, 4, 2 and 1 choices to zero.
  private mutating func zeroSpans() {
    for size in [8, 4, 2, 1] {
      var start = 0
      while start + size <= best.count, calls < budget {
        if best[start..<(start + size)].contains(where: { $0 != 0 }) {
          var candidate = best
          for index in start..<(start + size) { candidate[index] = 0 }
          consider(candidate)
        }
        start += 1
      }
    }
  }

  /// Lowers each choice as far as it goes: to zero, else by binary search
  /// between a value known not to fail and one known to fail.
  private mutating func minimiseChoices() {
    var index = 0
    while index < best.count, calls < budget {
      var low: UInt64 = 0
      var high = best[index]
      if high > 0 {
        var candidate = best
        candidate[index] = 0
        if !consider(candidate) {
          while high - low > 1, index < best.count, calls < budget {
            let middle = low + (high - low) / 2
            candidate = best
            candidate[index] = middle
            if consider(candidate) { high = middle } else { low = middle }
          }
        }
      }
      index += 1
    }
  }

  /// Lowers a choice by one and deletes a span after it: shortens a
  /// collection whose length is a choice together with one of its elements.
  private mutating func lowerAndDelete() {
    var index = 0
    while index < best.count, calls < budget {
      if best[index] > 0 {
        var size = 1
        var accepted = false
        while !accepted, size <= 8, calls < budget {
          var start = index + 1
          while start + size <= best.count, calls < budget {
            var candidate = best
            candidate[index] -= 1
            candidate.removeSubrange(start..<(start + size))
            if consider(candidate) {
              accepted = true
              break
            }
            start += 1
          }
          size *= 2
        }
      }
      index += 1
    }
  }
}
