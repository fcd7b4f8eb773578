package dev.batchinfer.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.strings.Lower;
import org.tensorflow.op.strings.Substr;
import org.tensorflow.op.strings.UnicodeDecode;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The language-id model, preprocessing included, shared by the training graph and the exported
 * inference graph: serving feeds raw UTF-8 strings and gets probabilities, nothing else to repeat.
 *
 * <ol>
 *   <li>lower-case (Unicode, {@code Lower} with encoding utf-8);</li>
 *   <li>every run of non-letters (digits, punctuation, symbols, whitespace) becomes one space, and
 *       leading/trailing spaces go ({@code RegexReplace}, RE2 {@code \p{L}\p{M}});</li>
 *   <li>keep the first {@code maxChars} characters ({@code Substr}, UTF8_CHAR), pad with one
 *       space on each side so word starts and ends form their own n-grams;</li>
 *   <li>decode to code points ({@code UnicodeDecode}), form every character n-gram of width
 *       {@code minN..maxN} inside each string and hash it to one of 2^bits buckets (polynomial
 *       hash mod 2^31-1, then Fibonacci hashing; integer ops only);</li>
 *   <li>mean of the buckets' embeddings per string ({@code Gather}, {@code UnsortedSegmentSum},
 *       {@code DivNoNan}) → linear layer → logits (softmax added by the exporter / the loss).</li>
 * </ol>
 */
final class LanguageIdGraph {

  static final String EMBEDDING = "ngram_embedding";
  static final String OUTPUT_KERNEL = "output_kernel";
  static final String OUTPUT_BIAS = "output_bias";

  private static final long PRIME = 2_147_483_647L;
  private static final long BASE = 1_000_003L;
  private static final long FIBONACCI = 2_654_435_761L;
  private static final long WIDTH_SALT = 40_503L;
  private static final long TWO_32 = 1L << 32;

  private LanguageIdGraph() {}

  /** Feature and layer sizes. */
  record Dims(int minN, int maxN, int bucketBits, int embedding, int maxChars, int classes) {
    Dims {
      if (minN < 1 || maxN < minN || maxN > 8) {
        throw new IllegalArgumentException("n-gram widths must satisfy 1 <= min <= max <= 8");
      }
      if (bucketBits < 4 || bucketBits > 24 || embedding <= 0 || maxChars <= 0 || classes < 2) {
        throw new IllegalArgumentException("bucket bits in 4..24, embedding and max chars positive, >= 2 classes");
      }
    }

    int buckets() {
      return 1 << bucketBits;
    }
  }

  /** Seeded uniform embeddings (Glorot limit of a D x D matrix), Glorot output kernel, zero bias. */
  static NamedWeights init(Dims d, Seeds seeds) {
    return new NamedWeights()
        .add(EMBEDDING, Shape.of(d.buckets(), d.embedding()),
            seeds.glorotUniform(d.embedding(), d.embedding(), d.buckets() * d.embedding()))
        .add(OUTPUT_KERNEL, Shape.of(d.embedding(), d.classes()), seeds.glorotUniform(d.embedding(), d.classes()))
        .add(OUTPUT_BIAS, Shape.of(d.classes()), new float[d.classes()]);
  }

  /** The text normalisation alone (steps 1-3), exposed so tests can see what the model reads. */
  static Operand<TString> normalise(Ops tf, Operand<TString> text, int maxChars) {
    Operand<TString> lower = tf.withName("lower").strings.lower(text, Lower.encoding("utf-8"));
    Operand<TString> letters = tf.withName("letters_only").strings.regexReplace(lower,
        tf.constant("[^\\p{L}\\p{M}]+"), tf.constant(" "));
    Operand<TString> trimmed = tf.withName("trim").strings.regexReplace(letters, tf.constant("^ | $"), tf.constant(""));
    Operand<TString> cut = tf.withName("truncate").strings.substr(trimmed, tf.constant(0), tf.constant(maxChars),
        Substr.unit("UTF8_CHAR"));
    return tf.withName("pad").strings.join(List.of(tf.constant(" "), cut, tf.constant(" ")));
  }

  static Operand<TFloat32> logits(Ops tf, Operand<TString> text, Map<String, ? extends Operand<TFloat32>> w, Dims d) {
    Operand<TString> padded = normalise(tf, text, d.maxChars());
    UnicodeDecode<TInt64> decoded = tf.withName("decode").strings.unicodeDecode(padded, "UTF-8", TInt64.class,
        UnicodeDecode.errors("replace"), UnicodeDecode.replacementChar(0xFFFDL));
    Operand<TInt64> chars = tf.dtypes.cast(decoded.charValues(), TInt64.class);
    Operand<TInt64> total = tf.size(chars, TInt64.class);
    Operand<TInt64> positions = tf.range(tf.constant(0L), total, tf.constant(1L));
    // Row r owns positions [splits[r], splits[r+1]): its row id is the number of row ends <= position.
    Operand<TInt64> rowEnds = tf.slice(decoded.rowSplits(), tf.constant(new long[] {1}), tf.constant(new long[] {-1}));
    Operand<TInt64> rowIds = tf.reshape(tf.upperBound(tf.reshape(rowEnds, tf.constant(new long[] {1, -1})),
        tf.reshape(positions, tf.constant(new long[] {1, -1})), TInt64.class), tf.constant(new long[] {-1}));
    Operand<TInt64> rowEnd = tf.gather(rowEnds, rowIds, tf.constant(0));
    Operand<TInt64> last = tf.math.sub(total, tf.constant(1L));

    List<Operand<TInt64>> ids = new ArrayList<>();
    List<Operand<TFloat32>> weights = new ArrayList<>();
    List<Operand<TInt64>> segments = new ArrayList<>();
    Operand<TInt64> hash = chars;
    for (int n = 1; n <= d.maxN(); n++) {
      if (n > 1) {
        Operand<TInt64> next = tf.gather(chars, tf.math.minimum(tf.math.add(positions, tf.constant((long) n - 1)), last),
            tf.constant(0));
        hash = tf.math.floorMod(tf.math.add(tf.math.mul(hash, tf.constant(BASE)), next), tf.constant(PRIME));
      }
      if (n < d.minN()) {
        continue;
      }
      Operand<TInt64> mixed = tf.math.floorMod(
          tf.math.add(tf.math.mul(hash, tf.constant(FIBONACCI)), tf.constant(n * WIDTH_SALT)), tf.constant(TWO_32));
      ids.add(tf.math.floorDiv(mixed, tf.constant(1L << (32 - d.bucketBits()))));
      weights.add(tf.dtypes.cast(tf.math.lessEqual(tf.math.add(positions, tf.constant((long) n)), rowEnd), TFloat32.class));
      segments.add(rowIds);
    }
    Operand<TInt64> allIds = tf.concat(ids, tf.constant(0));
    Operand<TFloat32> allWeights = tf.concat(weights, tf.constant(0));
    Operand<TInt64> allSegments = tf.concat(segments, tf.constant(0));
    Operand<TInt64> rows = tf.size(text, TInt64.class);

    Operand<TFloat32> vectors = tf.math.mul(tf.gather(w.get(EMBEDDING), allIds, tf.constant(0)),
        tf.expandDims(allWeights, tf.constant(-1)));
    Operand<TFloat32> sums = tf.math.unsortedSegmentSum(vectors, allSegments, rows);
    Operand<TFloat32> counts = tf.math.unsortedSegmentSum(allWeights, allSegments, rows);
    Operand<TFloat32> mean = tf.withName("ngram_mean").math.divNoNan(sums, tf.expandDims(counts, tf.constant(-1)));
    return tf.withName("logits").math.add(tf.linalg.matMul(mean, w.get(OUTPUT_KERNEL)), w.get(OUTPUT_BIAS));
  }
}
