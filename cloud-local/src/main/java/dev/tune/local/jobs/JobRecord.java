package dev.tune.local.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.provider.LocalContract;
import dev.tune.local.process.ProcessIdentity;
import dev.tune.local.store.JsonFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A local training job as {@code job.json} keeps it.
 *
 * @param id the job's id, also its directory's name
 * @param name the model name it trains ({@code output.name})
 * @param createdAt when it was submitted
 * @param output where the trained model is written
 * @param attempt 1 for the first run, one more for each resume
 * @param process the training process of the latest attempt
 * @param eventsOffset the length of {@code events.jsonl} when the latest attempt started; its
 *     events come after it
 * @param cancelRequested whether a cancel was asked for the latest attempt
 * @param contract the container contract the job runs under; every attempt keeps it
 */
public record JobRecord(
    String id,
    String name,
    Instant createdAt,
    Path output,
    int attempt,
    ProcessIdentity process,
    long eventsOffset,
    boolean cancelRequested,
    LocalContract contract) {

  public JobRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(contract, "contract");
  }

  /** A job under the local provider's own contract. */
  public JobRecord(
      String id,
      String name,
      Instant createdAt,
      Path output,
      int attempt,
      ProcessIdentity process,
      long eventsOffset,
      boolean cancelRequested) {
    this(
        id,
        name,
        createdAt,
        output,
        attempt,
        process,
        eventsOffset,
        cancelRequested,
        LocalContract.LOCAL);
  }

  JobRecord cancelling() {
    return new JobRecord(
        id, name, createdAt, output, attempt, process, eventsOffset, true, contract);
  }

  JobRecord resumed(ProcessIdentity newProcess, long newEventsOffset) {
    return new JobRecord(
        id, name, createdAt, output, attempt + 1, newProcess, newEventsOffset, false, contract);
  }

  ObjectNode toJson() {
    ObjectNode n = JsonFiles.object();
    n.put("id", id);
    n.put("name", name);
    n.put("created_at", createdAt.toString());
    n.put("output", output.toString());
    n.put("attempt", attempt);
    n.put("pid", process.pid());
    n.put("process_started_at", process.startedAt().toString());
    n.put("events_offset", eventsOffset);
    n.put("cancel_requested", cancelRequested);
    n.put("contract", contract.id());
    return n;
  }

  static JobRecord fromJson(JsonNode n) {
    return new JobRecord(
        n.path("id").asText(),
        n.path("name").asText(),
        Instant.parse(n.path("created_at").asText()),
        Path.of(n.path("output").asText()),
        n.path("attempt").asInt(1),
        new ProcessIdentity(
            n.path("pid").asLong(), Instant.parse(n.path("process_started_at").asText())),
        n.path("events_offset").asLong(0),
        n.path("cancel_requested").asBoolean(false),
        LocalContract.valueOf(n.path("contract").asText("local").toUpperCase(Locale.ROOT)));
  }
}
