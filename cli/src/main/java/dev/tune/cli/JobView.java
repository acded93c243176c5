package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.job.JobDescription;

/** How a training job is shown: one table row, a block of details, a JSON object. */
final class JobView {
  static final String HEADER =
      String.format("%-36s %-10s %-20s %s", "JOB", "STATE", "CREATED", "OUTPUT");

  static final ResourceTable<JobDescription> TABLE =
      new ResourceTable<>(HEADER, JobView::row, JobView::json);

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
    StringBuilder b = head(d).details();
    b.append("created:  ").append(d.createdAt()).append('\n');
    d.endedAt().ifPresent(t -> b.append("ended:    ").append(t).append('\n'));
    d.output().ifPresent(o -> b.append("output:   ").append(o).append('\n'));
    return b.toString().stripTrailing();
  }

  static ObjectNode json(JobDescription d) {
    ObjectNode n = head(d).json();
    n.put("created_at", d.createdAt().toString());
    d.endedAt().ifPresent(t -> n.put("ended_at", t.toString()));
    d.output().ifPresent(o -> n.put("output", o.toString()));
    return n;
  }

  private static ResourceHead head(JobDescription d) {
    return new ResourceHead(
        "job", d.ref().id(), d.ref().provider(), d.name(), d.state(), d.message());
  }
}
