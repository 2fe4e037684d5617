package io.github.trafficpolicy.engine.lifecycle;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;

/** {@link DocumentCodec#json()}. */
enum JsonCodec implements DocumentCodec {
  INSTANCE;

  @Override
  public PolicyDocument read(String text) {
    return PolicyDocumentJson.read(text);
  }

  @Override
  public String write(PolicyDocument document) {
    return PolicyDocumentJson.write(document);
  }
}
