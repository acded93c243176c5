package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.endpoint.EndpointDescription;

/** How an endpoint is shown: one table row, a block of details, a JSON object. */
final class EndpointView {
  static final String HEADER =
      String.format("%-28s %-11s %-24s %s", "ENDPOINT", "STATE", "MODEL", "URL");

  private EndpointView() {}

  static String row(EndpointDescription d) {
    return String.format(
        "%-28s %-11s %-24s %s",
        d.ref().id(),
        d.state(),
        d.model().map(m -> m.id()).orElse("-"),
        d.url().map(Object::toString).orElse("-"));
  }

  static String details(EndpointDescription d) {
    StringBuilder b = new StringBuilder();
    b.append("endpoint: ").append(d.ref().id()).append('\n');
    b.append("provider: ").append(d.ref().provider()).append('\n');
    b.append("name:     ").append(d.name()).append('\n');
    b.append("state:    ").append(d.state()).append('\n');
    d.message().ifPresent(m -> b.append("message:  ").append(m).append('\n'));
    d.model().ifPresent(m -> b.append("model:    ").append(m.id()).append('\n'));
    d.url().ifPresent(u -> b.append("url:      ").append(u).append('\n'));
    b.append("created:  ").append(d.createdAt()).append('\n');
    return b.toString().stripTrailing();
  }

  static ObjectNode json(EndpointDescription d) {
    ObjectNode n = Printer.object();
    n.put("id", d.ref().id());
    n.put("provider", d.ref().provider());
    n.put("name", d.name());
    n.put("state", d.state().name());
    d.message().ifPresent(m -> n.put("message", m));
    d.model().ifPresent(m -> n.put("model", m.id()));
    d.url().ifPresent(u -> n.put("url", u.toString()));
    n.put("created_at", d.createdAt().toString());
    return n;
  }
}
