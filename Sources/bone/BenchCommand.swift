import BoneFast
import Foundation

/// `bone bench`: the fast implementation on LLM-sized weights, optionally side
/// by side with PEFT 0.18.1's `BoneLinear` on PyTorch (CPU) through the peer
/// script `Tests/Interop/peft/bench_peft.py`, plus the machine's copy bandwidth.
struct BenchCommand: Command {
  static let name = "bench"
  static let abstract = "Time the fast implementation (build with -c release); --peer adds PyTorch + PEFT."
  static let usage = """
    bone bench [--runs K] [--seconds T] [--shapes OxI,...] [--dtypes D,...] [--ops OP,...]
               [--instructions I] [--batches B,...] [--bat-ranks R,...] [--peer] [--python PATH]
      --runs    timed runs per case and side, at least (default 3)
      --seconds and more runs until they add up to T seconds (default 0.25);
                medians, min and max are printed, with the number of runs;
                with --peer, in min(4, K) blocks, ours and the peer's in turn
      --ops     bone-merge-unmerge, bat-merge-unmerge, bone-forward, bat-forward
                (default all)
      --instructions
                the copy of the kernels: avx512, avx2 or portable (default the
                fastest this processor supports)
      --shapes  weights out×in (default 4096x4096,11008x4096,4096x11008)
      --dtypes  float32,float16,bfloat16 (default all three; float64 allowed)
      --batches the forward's batch sizes (default 1,16)
      --bat-ranks
                the BAT ranks (default 16,128; each must divide both sides)
      --peer    also run the PyTorch peer and print the ratio (peer/bone-spec)
      --python  the Python with torch and peft (default .venv-peft/bin/python,
                made by Tests/Interop/peft/setup.sh)
    """

  /// One measured case.
  struct Case: Codable {
    var op: String
    var out: Int
    var `in`: Int
    var r: Int
    var dtype: String
    var batch: Int

    /// The bytes of the case's weight.
    var weightBytes: Int { out * `in` * (DType(name: dtype)?.bitWidth ?? 32) / 8 }
  }

  let runs: Int
  /// The seconds each side's timed runs of a case add up to, at least.
  let leastSeconds: Double
  let cases: [Case]
  let instructions: FastInstructions
  let peer: Bool
  let python: String

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["runs", "seconds", "shapes", "dtypes", "ops", "instructions", "python", "batches", "bat-ranks"], flags: ["peer"])
    guard parsed.positional.isEmpty else { throw UsageError("unexpected argument \(parsed.positional[0])") }
    if let text = parsed.options["runs"]?.first {
      guard let value = Int(text), value >= 1 else { throw UsageError("--runs needs a positive whole number, not \(text)") }
      runs = value
    } else {
      runs = 3
    }
    if let text = parsed.options["seconds"]?.first {
      guard let value = Double(text), value >= 0, value.isFinite else { throw UsageError("--seconds needs a number of seconds, not \(text)") }
      leastSeconds = value
    } else {
      leastSeconds = 0.25
    }
    var shapes: [(Int, Int)] = []
    for text in (parsed.options["shapes"]?.first ?? "4096x4096,11008x4096,4096x11008").split(separator: ",") {
      let parts = text.split(separator: "x").compactMap { Int($0) }
      guard parts.count == 2, parts.allSatisfy({ $0 >= 128 && $0 % 128 == 0 }) else {
        throw UsageError("a shape is OUTxIN with both multiples of 128, not \(text)")
      }
      shapes.append((parts[0], parts[1]))
    }
    var dtypes: [DType] = []
    for text in (parsed.options["dtypes"]?.first ?? "float32,float16,bfloat16").split(separator: ",") {
      guard let dtype = DType(name: String(text)) else { throw UsageError("unknown dtype \(text)") }
      dtypes.append(dtype)
    }
    let operations = ["bone-merge-unmerge", "bat-merge-unmerge", "bone-forward", "bat-forward"]
    let chosen = (parsed.options["ops"]?.first).map { $0.split(separator: ",").map(String.init) } ?? operations
    for op in chosen where !operations.contains(op) {
      throw UsageError("unknown operation \(op); the operations are \(operations.joined(separator: ", "))")
    }
    instructions = try parsed.instructions()
    /// A comma-separated list of positive whole numbers.
    func numbers(_ option: String, default text: String) throws(UsageError) -> [Int] {
      var values: [Int] = []
      for item in (parsed.options[option]?.first ?? text).split(separator: ",") {
        guard let value = Int(item), value >= 1 else { throw UsageError("--\(option) takes positive whole numbers, not \(item)") }
        values.append(value)
      }
      return values
    }
    let batches = try numbers("batches", default: "1,16")
    let batRanks = try numbers("bat-ranks", default: "16,128")
    for rank in batRanks {
      for (out, inFeatures) in shapes where out % rank != 0 || inFeatures % rank != 0 {
        throw UsageError("BAT rank \(rank) does not divide the shape \(out)x\(inFeatures)")
      }
    }
    var cases: [Case] = []
    for (out, inFeatures) in shapes {
      for dtype in dtypes {
        let d = dtype.rawValue
        cases.append(Case(op: "bone-merge-unmerge", out: out, in: inFeatures, r: 64, dtype: d, batch: 0))
        for rank in batRanks { cases.append(Case(op: "bat-merge-unmerge", out: out, in: inFeatures, r: rank, dtype: d, batch: 0)) }
        for batch in batches { cases.append(Case(op: "bone-forward", out: out, in: inFeatures, r: 64, dtype: d, batch: batch)) }
        for batch in batches { cases.append(Case(op: "bat-forward", out: out, in: inFeatures, r: 64, dtype: d, batch: batch)) }
      }
    }
    self.cases = cases.filter { chosen.contains($0.op) }
    peer = parsed.flags.contains("peer")
    python = parsed.options["python"]?.first ?? ".venv-peft/bin/python"
  }

  func run() throws -> Int32 {
    let bandwidth = MemoryBandwidth.copy(bytes: 256 << 20)
    print("kernels: \(instructions) (supported here: \(FastInstructions.allCases.filter(\.isSupported).map(\.rawValue).joined(separator: ", ")))")
    print("machine: \(ProcessorName.read()), \(ProcessInfo.processInfo.activeProcessorCount) cores, copy bandwidth \(String(format: "%.2f", bandwidth / 1e9)) GB/s (memcpy within 256 MiB on all cores, read + write)")
    let peerProcess = peer ? try BenchPeer(python: python) : nil
    var ours: [[Double]] = []
    var theirs: [[Double]] = []
    // The bandwidth each case is held to, measured right after it.
    var bandwidths: [Double?] = []
    for benchCase in cases {
      let timeBlock: (Int, Double) throws -> Block
      switch DType(name: benchCase.dtype) {
      case .float64?: timeBlock = try prepare(Double.self, benchCase)
      case .float32?: timeBlock = try prepare(Float.self, benchCase)
      case .float16?: timeBlock = try prepare(Float16.self, benchCase)
      default: timeBlock = try prepare(BFloat16.self, benchCase)
      }
      // With the peer, the runs are timed in blocks, ours and the peer's in
      // turn, so that a phase of the machine's load (another tenant's, some
      // tenths of a second long) falls on both columns rather than on one.
      let blocks = peerProcess == nil ? 1 : min(4, runs)
      var seconds: [Double] = []
      var mergeSeconds: [Double] = []
      var peerSeconds: [Double] = []
      for block in 0..<blocks {
        let blockRuns = runs / blocks + (block < runs % blocks ? 1 : 0)
        let timed = try timeBlock(blockRuns, leastSeconds / Double(blocks))
        seconds += timed.seconds
        mergeSeconds += timed.mergeSeconds
        if let peerProcess { peerSeconds += try peerProcess.seconds(benchCase, runs: blockRuns, leastSeconds: leastSeconds / Double(blocks)) }
      }
      ours.append(seconds)
      var progress = "\(benchCase.op) \(benchCase.out)x\(benchCase.in) r=\(benchCase.r) \(benchCase.dtype) batch \(benchCase.batch): \(format(median(seconds)))"
      if !mergeSeconds.isEmpty { progress += " (of which merge \(format(median(mergeSeconds))))" }
      if peerProcess != nil {
        theirs.append(peerSeconds)
        progress += ", peer \(format(median(peerSeconds)))"
      }
      if benchCase.op == "bone-merge-unmerge" {
        bandwidths.append(MemoryBandwidth.copy(bytes: benchCase.weightBytes))
      } else if benchCase.op == "bone-forward" && benchCase.batch == 1 {
        bandwidths.append(MemoryBandwidth.read(bytes: benchCase.weightBytes))
      } else {
        bandwidths.append(nil)
      }
      FileHandle.standardError.write(Data((progress + "\n").utf8))
    }
    let peerVersion = peerProcess.map { " (\($0.versions))" } ?? ""
    print("")
    print("| operation | weight | dtype | bone-spec median [min, max] |" + (peer ? " PyTorch + PEFT\(peerVersion) median [min, max] | ratio |" : ""))
    print("| --- | --- | --- | --- |" + (peer ? " --- | --- |" : ""))
    for (index, benchCase) in cases.enumerated() {
      let variant = benchCase.op.hasPrefix("bat") ? "BAT" : "BONE"
      let name = benchCase.op.hasSuffix("forward")
        ? "\(variant) forward, batch \(benchCase.batch), r=\(benchCase.r)" : "\(variant) merge + unmerge, r=\(benchCase.r)"
      var line = "| \(name) | \(benchCase.out)×\(benchCase.in) | \(benchCase.dtype) | \(cell(ours[index])) |"
      if peer {
        line += " \(cell(theirs[index])) | \(String(format: "%.2f", median(theirs[index]) / median(ours[index])))× |"
      }
      print(line)
    }
    print("")
    for (index, benchCase) in cases.enumerated() {
      guard let bandwidth = bandwidths[index] else { continue }
      let bytes = Double(benchCase.weightBytes)
      let name = "\(benchCase.out)×\(benchCase.in) \(benchCase.dtype)"
      let amount = Int(bytes) >= 1 << 20 ? "\(Int(bytes) >> 20) MiB" : "\(Int(bytes) >> 10) KiB"
      let size = "for \(amount) (\(String(format: "%.2f", bandwidth / 1e9)) GB/s)"
      if benchCase.op == "bone-merge-unmerge" {
        // Merge and unmerge each read and write W once: 4 × |W| bytes. The copy
        // they are held to moves a buffer of |W| bytes, so that both work in
        // the same level of the memory hierarchy.
        let rate = 4 * bytes / median(ours[index])
        print("BONE merge + unmerge \(name): \(String(format: "%.2f", rate / 1e9)) GB/s = \(String(format: "%.0f", 100 * rate / bandwidth))% of the copy bandwidth \(size)")
      } else {
        // A forward of one sample reads W once; everything else it touches is
        // smaller by a factor of the batch or of r.
        /// W's bytes per second at a median time, and that as a share of the read bandwidth.
        func share(_ seconds: [Double]) -> String {
          let rate = bytes / median(seconds)
          return "\(String(format: "%.2f", rate / 1e9)) GB/s = \(String(format: "%.0f", 100 * rate / bandwidth))%"
        }
        let theirShare = peer ? " (PyTorch: \(share(theirs[index])))" : ""
        print("BONE forward, batch 1, \(name): reads W at \(share(ours[index]))\(theirShare) of the read bandwidth \(size)")
      }
    }
    return 0
  }

  /// One block of timed runs of a case: their seconds, and for merge +
  /// unmerge those of each merge.
  struct Block {
    var seconds: [Double] = []
    var mergeSeconds: [Double] = []
  }

  /// Builds the case's layer (and a forward's input) and returns what times
  /// a block of at least `runs` runs adding up to at least `seconds`; a
  /// forward's block starts with one untimed run, which brings W back into
  /// the caches after the peer's block.
  func prepare<S: FastStorage>(_: S.Type, _ benchCase: Case) throws -> (Int, Double) throws -> Block {
    var generator = SplitMix64(seed: 7)
    func value() -> S { S(rounding: S.Compute(Double(generator.next() >> 11) / Double(1 << 53) - 0.5)) }
    let weight = Matrix<S>(rows: benchCase.out, columns: benchCase.in) { _, _ in value() }
    let bias = (0..<benchCase.out).map { _ in value() }
    var layer = try FastLayer<S>(backend: try FastBackend<S>(instructions: instructions), weight: weight, bias: bias)
    let variant: AdapterVariant = benchCase.op.hasPrefix("bat") ? .bat : .bone
    let small = { S(rounding: value().compute * 0.02) }
    let block = variant.blockShapes(rank: benchCase.r, outFeatures: benchCase.out).map { Matrix<S>(rows: $0.rows, columns: $0.columns) { _, _ in small() } }
    try layer.addAdapter("default", variant: variant, rank: benchCase.r, block: block)
    /// Whether a block has enough runs.
    func enough(_ timed: Block, _ runs: Int, _ seconds: Double) -> Bool {
      timed.seconds.count >= runs && timed.seconds.reduce(0, +) >= seconds
    }
    if benchCase.op.hasSuffix("forward") {
      let x = Matrix<S>(rows: benchCase.batch, columns: benchCase.in) { _, _ in value() }
      return { runs, seconds in
        var timed = Block()
        _ = try layer.forward(x)
        while !enough(timed, runs, seconds) {
          let start = ContinuousClock.now
          _ = try layer.forward(x)
          timed.seconds.append((ContinuousClock.now - start).seconds)
        }
        return timed
      }
    }
    return { runs, seconds in
      var timed = Block()
      while !enough(timed, runs, seconds) {
        let start = ContinuousClock.now
        try layer.merge()
        let merged = ContinuousClock.now
        try layer.unmerge()
        timed.seconds.append((ContinuousClock.now - start).seconds)
        timed.mergeSeconds.append((merged - start).seconds)
      }
      return timed
    }
  }

  func cell(_ seconds: [Double]) -> String {
    "\(format(median(seconds))) [\(format(seconds.min() ?? 0)), \(format(seconds.max() ?? 0))], \(seconds.count) runs"
  }

  func format(_ seconds: Double) -> String {
    seconds >= 1
      ? String(format: "%.2f s", seconds)
      : String(format: seconds < 0.01 ? "%.2f ms" : "%.1f ms", seconds * 1000)
  }
}
