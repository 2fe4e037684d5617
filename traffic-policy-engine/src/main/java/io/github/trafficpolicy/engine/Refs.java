package io.github.trafficpolicy.engine;

/**
 * The two int encodings of a compiled policy, in one place, so that the evaluator's hot loops read and compare
 * plain ints and never allocate.
 *
 * <p><b>References</b>: an entry's child ({@link CompiledRule#child}) and the policy's start. A rule is its index
 * in the rules array (0 or more). An endpoint is the bitwise complement of its index in the endpoints array, so
 * endpoint 0 is -1. {@link #isRule} tells the two apart.
 *
 * <p><b>Results</b> of resolving a reference. An endpoint's index (0 or more) means the answer is that one
 * endpoint. {@link #NO_DATA} means there is no answer. {@link #MULTI} means a multivalue rule chose several
 * endpoints, and the evaluation's selection holds them. A result is never a rule, so a result's endpoint is its
 * plain index, with no complement.
 */
final class Refs {
  /** A result: no answer. */
  static final int NO_DATA = -1;
  /** A result: the endpoints a multivalue rule chose ({@link Evaluation#selection}). */
  static final int MULTI = -2;

  private Refs() {}

  /** The reference to rule {@code index}. */
  static int ofRule(int index) {
    return index;
  }

  /** The reference to endpoint {@code index}. */
  static int ofEndpoint(int index) {
    return ~index;
  }

  /** Whether a reference names a rule (else an endpoint). */
  static boolean isRule(int ref) {
    return ref >= 0;
  }

  /** The endpoint index of a reference that names an endpoint. */
  static int endpoint(int ref) {
    return ~ref;
  }
}
