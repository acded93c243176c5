package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.job.JobDescription;

/** How a training job is shown: one table row, a block of details, a JSON object. */
final class JobView {
  static final String HEADER =
      String.format("%-36s %-10s %-20s %s", "JOB", "STATE", "CREATED", "OUTPUT");

  private JobView() {}

  static String row(JobDescription d) {
    return String.format(
        "%-36s %-10s %-20s %s",
        d.ref().id(),
        d.state(),
        Times.toMinute(d.createdAt()),
        d.output().map(Object::toString).orElse("-"));
  }

  static String details(JobDescription d) {
    StringBuilder b = new StringBuilder();
    b.append("job:      ").append(d.ref().id()).append('\n');
    b.append("provider: ").append(d.ref().provider()).append('\n');
    b.append("name:     ").append(d.name()).append('\n');
    b.append("state:    ").append(d.state()).append('\n');
    d.message().ifPresent(m -> b.append("message:  ").append(m).append('\n'));
    b.append("created:  ").append(d.createdAt()).append('\n');
    d.endedAt().ifPresent(t -> b.append("ended:    ").append(t).append('\n'));
    d.output().ifPresent(o -> b.append("output:   ").append(o).append('\n'));
    return b.toString().stripTrailing();
  }

  static ObjectNode json(JobDescription d) {
    ObjectNode n = Printer.object();
    n.put("id", d.ref().id());
    n.put("provider", d.ref().provider());
    n.put("name", d.name());
    n.put("state", d.state().name());
    d.message().ifPresent(m -> n.put("message", m));
    n.put("created_at", d.createdAt().toString());
    d.endedAt().ifPresent(t -> n.put("ended_at", t.toString()));
    d.output().ifPresent(o -> n.put("output", o.toString()));
    return n;
  }
}
