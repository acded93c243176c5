package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.endpoint.EndpointDescription;

/** How an endpoint is shown: one table row, a block of details, a JSON object. */
final class EndpointView {
  static final String HEADER =
      String.format("%-28s %-11s %-24s %s", "ENDPOINT", "STATE", "MODEL", "URL");

  static final ResourceTable<EndpointDescription> TABLE =
      new ResourceTable<>(HEADER, EndpointView::row, EndpointView::json);

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
    StringBuilder b = head(d).details();
    d.model().ifPresent(m -> b.append("model:    ").append(m.id()).append('\n'));
    d.url().ifPresent(u -> b.append("url:      ").append(u).append('\n'));
    b.append("created:  ").append(d.createdAt()).append('\n');
    return b.toString().stripTrailing();
  }

  static ObjectNode json(EndpointDescription d) {
    ObjectNode n = head(d).json();
    d.model().ifPresent(m -> n.put("model", m.id()));
    d.url().ifPresent(u -> n.put("url", u.toString()));
    n.put("created_at", d.createdAt().toString());
    return n;
  }

  private static ResourceHead head(EndpointDescription d) {
    return new ResourceHead(
        "endpoint", d.ref().id(), d.ref().provider(), d.name(), d.state(), d.message());
  }
}
