package io.github.trafficpolicy.engine.lifecycle;

import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;

/**
 * Turns a policy document's text into a {@link PolicyDocument} and back. The registry stores every version's text
 * exactly as it was given and parses it with this codec when it is created and whenever the registry is loaded.
 */
public interface DocumentCodec {

  /**
   * Route 53 JSON via {@link PolicyDocumentJson} with its default options: documents read keep their exact text;
   * documents built in code are written as canonical pretty JSON.
   */
  static DocumentCodec json() {
    return JsonCodec.INSTANCE;
  }

  /**
   * The document in {@code text}; throws {@link InvalidPolicyException} listing every problem when the text is not
   * a valid document.
   */
  PolicyDocument read(String text);

  /** The text of a document built in code (documents that were read keep their own text). */
  String write(PolicyDocument document);
}
