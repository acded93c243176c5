package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The fields that a job's and an endpoint's description both open with, shown the same way in
 * {@code describe} text and in JSON.
 *
 * @param kind the label of the id line in text ("job", "endpoint")
 * @param id the provider's id
 * @param provider the provider's name
 * @param name the resource's name
 * @param state its state
 * @param message the provider's message about the state, if any
 */
record ResourceHead(
    String kind, String id, String provider, String name, Enum<?> state, Optional<String> message) {

  /** The text lines, labels padded to one column, each ending in a newline. */
  StringBuilder details() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-10s", kind + ":")).append(id).append('\n');
    b.append("provider: ").append(provider).append('\n');
    b.append("name:     ").append(name).append('\n');
    b.append("state:    ").append(state).append('\n');
    message.ifPresent(m -> b.append("message:  ").append(m).append('\n'));
    return b;
  }

  /** A JSON object with these fields, for the caller to add the rest to. */
  ObjectNode json() {
    ObjectNode n = Printer.object();
    n.put("id", id);
    n.put("provider", provider);
    n.put("name", name);
    n.put("state", state.name());
    message.ifPresent(m -> n.put("message", m));
    return n;
  }
}
