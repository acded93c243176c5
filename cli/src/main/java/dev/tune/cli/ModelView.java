package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.model.SampleGeneration;
import java.util.Locale;

/** How a registered model is shown: one table row, a block of details, a JSON object. */
final class ModelView {
  static final String HEADER =
      String.format("%-28s %-24s %-20s %s", "MODEL", "ID", "CREATED", "ARTIFACT");

  static final ResourceTable<ModelDescription> TABLE =
      new ResourceTable<>(HEADER, ModelView::row, ModelView::json);

  private ModelView() {}

  static String row(ModelDescription d) {
    return String.format(
        "%-28s %-24s %-20s %s",
        d.displayName(), d.ref().id(), Times.toMinute(d.createdAt()), d.artifact());
  }

  static String details(ModelDescription d) {
    StringBuilder b = new StringBuilder();
    b.append("model:    ").append(d.displayName()).append('\n');
    b.append("id:       ").append(d.ref().id()).append('\n');
    b.append("provider: ").append(d.ref().provider()).append('\n');
    b.append("artifact: ").append(d.artifact()).append('\n');
    b.append("created:  ").append(d.createdAt()).append('\n');
    d.metrics()
        .ifPresent(
            m -> {
              m.finalMetrics()
                  .forEach(
                      (k, v) -> b.append(String.format(Locale.ROOT, "%-9s %.4f%n", k + ":", v)));
              for (SampleGeneration s : m.samples()) {
                b.append("sample:   ").append(s.prompt()).append('\n');
                b.append("  base:   ").append(s.before()).append('\n');
                b.append("  tuned:  ").append(s.after()).append('\n');
              }
            });
    return b.toString().stripTrailing();
  }

  static ObjectNode json(ModelDescription d) {
    ObjectNode n = Printer.object();
    n.put("id", d.ref().id());
    n.put("provider", d.ref().provider());
    n.put("name", d.name());
    d.version().ifPresent(v -> n.put("version", v));
    n.put("artifact", d.artifact().toString());
    n.put("created_at", d.createdAt().toString());
    d.metrics()
        .ifPresent(
            m -> {
              ObjectNode metrics = n.putObject("metrics");
              ObjectNode finals = metrics.putObject("final");
              m.finalMetrics().forEach(finals::put);
              ArrayNode samples = metrics.putArray("samples");
              m.samples()
                  .forEach(
                      s ->
                          samples
                              .addObject()
                              .put("prompt", s.prompt())
                              .put("before", s.before())
                              .put("after", s.after()));
            });
    return n;
  }
}
