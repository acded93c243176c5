package dev.tune.local.jobs;

import dev.tune.container.contract.ChildJvm;
import dev.tune.core.JobRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.provider.LocalContract;
import dev.tune.core.storage.FileLocks;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.train.Secret;
import dev.tune.core.train.TrainSpec;
import dev.tune.local.contract.ContractJobMain;
import dev.tune.local.process.DetachedLauncher;
import dev.tune.local.process.ProcessIdentity;
import dev.tune.local.store.Directories;
import dev.tune.local.store.JsonFiles;
import dev.tune.local.store.LogTail;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Local training jobs: each runs the container's {@code train} entrypoint as a detached child
 * process in {@code ROOT/ID/}, which holds {@code spec.json} (the spec, without secrets), {@code
 * job.json} (the process, so any later CLI can tell a running job from a dead one), {@code
 * train.log} (the process's output), and what the entrypoint writes: {@code events.jsonl}, {@code
 * failure}, {@code checkpoints/} and {@code output/}.
 *
 * <p>Under a cloud contract ({@link LocalContract#SAGEMAKER}, {@link LocalContract#VERTEX}) the
 * process is a {@link ContractJobMain}, which runs the entrypoint in {@code ROOT/ID/contract/} laid
 * out as that provider's container and brings its events, failure and outputs back to the same
 * places, so the rest of this class cannot tell the two apart.
 */
public final class LocalJobs {
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  // The entrypoint answers SIGTERM by finishing its step and saving a checkpoint first.
  private static final Duration CANCEL_GRACE = Duration.ofSeconds(60);
  private static final Duration FOLLOW_POLL = Duration.ofMillis(300);

  private final Path root;
  private final ChildJvm java;
  private final String trainMain;
  private final LocalContract contract;
  private final DetachedLauncher launcher;

  public LocalJobs(Path root, ChildJvm java, String trainMain) {
    this(root, java, trainMain, LocalContract.LOCAL);
  }

  /** Jobs that new submissions run under {@code contract}. */
  public LocalJobs(Path root, ChildJvm java, String trainMain, LocalContract contract) {
    this.root = root.toAbsolutePath().normalize();
    this.java = java;
    this.trainMain = trainMain;
    this.contract = Objects.requireNonNull(contract, "contract");
    this.launcher = DetachedLauncher.create();
  }

  /** Writes the job's directory and starts its training process. */
  public JobRecord submit(TrainSpec spec) {
    Instant now = Instant.now();
    Path dir = null;
    try {
      dir = newJobDir(spec.output().name(), now);
      JsonFiles.write(dir.resolve("spec.json"), TrainSpecJson.write(spec));
      Path output =
          dir.resolve("output").resolve(spec.output().mergeAdapter() ? "model" : "adapter");
      Path jobDir = dir;
      return FileLocks.withLock(
          lockFile(dir),
          () -> {
            ProcessIdentity process = start(jobDir, contract, false, spec.model().token());
            JobRecord record =
                new JobRecord(
                    jobDir.getFileName().toString(),
                    spec.output().name(),
                    now,
                    output,
                    1,
                    process,
                    0,
                    false,
                    contract);
            JsonFiles.write(jobDir.resolve("job.json"), record.toJson());
            return record;
          });
    } catch (IOException e) {
      throw LocalFiles.failure("starting a training job in " + (dir != null ? dir : root), e);
    }
  }

  /**
   * Starts a job that failed or was cancelled again in its own directory; the entrypoint resumes
   * from the newest checkpoint in {@code checkpoints/}. The Hugging Face token, never written to
   * the job's files, comes from this process's {@code HF_TOKEN}.
   *
   * @throws ConflictException if the job is still running or has succeeded
   */
  public JobRecord resume(String id) {
    Path dir = jobDir(id);
    try {
      return FileLocks.withLock(
          lockFile(dir),
          () -> {
            JobRecord record = read(dir);
            JobStatus status = status(dir, record);
            if (!status.state().isTerminal()) {
              throw new ConflictException(
                  "Job " + id + " is still " + status.state() + "; only an ended job resumes.",
                  "Wait for it, or cancel it first: tune jobs cancel " + id);
            }
            if (status.state() == JobState.SUCCEEDED) {
              throw new ConflictException(
                  "Job " + id + " has already succeeded; there is nothing to resume.",
                  "Start a new job with tune train to train further.");
            }
            Files.deleteIfExists(dir.resolve("failure"));
            long offset = Files.exists(events(dir)) ? Files.size(events(dir)) : 0;
            ProcessIdentity process = start(dir, record.contract(), true, Optional.empty());
            JobRecord resumed = record.resumed(process, offset);
            JsonFiles.write(dir.resolve("job.json"), resumed.toJson());
            return resumed;
          });
    } catch (IOException e) {
      throw LocalFiles.failure("resuming job " + id + " in " + dir, e);
    }
  }

  /** Every job, newest first. */
  public List<JobDescription> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<JobDescription> jobs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("job.json"))).toList()) {
        jobs.add(describe(dir, read(dir)));
      }
    } catch (IOException e) {
      throw LocalFiles.failure("listing the jobs in " + root, e);
    }
    jobs.sort(Comparator.comparing(JobDescription::createdAt).reversed());
    return jobs;
  }

  /**
   * The job's state, progress and output.
   *
   * @throws NotFoundException if there is no such job
   */
  public JobDescription describe(String id) {
    Path dir = jobDir(id);
    try {
      return describe(dir, read(dir));
    } catch (IOException e) {
      throw LocalFiles.failure("reading job " + id, e);
    }
  }

  /** The job's record: its process, attempt and output directory. */
  public JobRecord record(String id) {
    Path dir = jobDir(id);
    try {
      return read(dir);
    } catch (IOException e) {
      throw LocalFiles.failure("reading job " + id, e);
    }
  }

  /** The job's directory. */
  public Path directory(String id) {
    return jobDir(id);
  }

  /**
   * Stops the job: SIGTERM, so the entrypoint can end cleanly, then a kill after a grace period.
   * Does nothing to a job that has ended.
   */
  public void cancel(String id) throws InterruptedException {
    Path dir = jobDir(id);
    JobRecord record;
    try {
      record =
          FileLocks.withLock(
              lockFile(dir),
              () -> {
                JobRecord current = read(dir);
                if (status(dir, current).state().isTerminal()) {
                  return current;
                }
                JobRecord cancelling = current.cancelling();
                JsonFiles.write(dir.resolve("job.json"), cancelling.toJson());
                return cancelling;
              });
    } catch (IOException e) {
      throw LocalFiles.failure("cancelling job " + id, e);
    }
    if (record.cancelRequested()) {
      record.process().stop(CANCEL_GRACE);
    }
  }

  /**
   * Hands the lines of {@code train.log} to {@code sink}; with {@code follow}, keeps reading as the
   * process writes until the job ends.
   */
  public void logs(String id, boolean follow, Consumer<LogLine> sink) throws InterruptedException {
    Path dir = jobDir(id);
    try (LogFollower log = new LogFollower(dir.resolve("train.log"))) {
      while (true) {
        boolean ended = !follow || status(dir, read(dir)).state().isTerminal();
        log.drain(ended, sink);
        if (ended) {
          return;
        }
        Thread.sleep(FOLLOW_POLL);
      }
    } catch (IOException e) {
      throw LocalFiles.failure("reading the log of job " + id, e);
    }
  }

  private JobDescription describe(Path dir, JobRecord record) throws IOException {
    JobStatus status = status(dir, record);
    JobDescription.Builder b =
        JobDescription.builder()
            .ref(new JobRef("local", record.id()))
            .name(record.name())
            .state(status.state())
            .createdAt(record.createdAt())
            .output(new FileUri(record.output()));
    status.message().ifPresent(b::message);
    if (status.state().isTerminal()) {
      b.endedAt(endedAt(dir));
    }
    return b.build();
  }

  private JobStatus status(Path dir, JobRecord record) throws IOException {
    JobEvents events = JobEvents.read(events(dir), record.eventsOffset());
    boolean alive = record.process().isAlive();
    Optional<String> failure =
        Files.isRegularFile(dir.resolve("failure"))
            ? Optional.of(Files.readString(dir.resolve("failure")))
            : Optional.empty();
    List<String> logTail =
        alive || events.done() ? List.of() : LogTail.of(dir.resolve("train.log"), 5);
    return JobStatus.of(record, events, alive, failure, logTail);
  }

  private static Instant endedAt(Path dir) throws IOException {
    Instant last = Files.getLastModifiedTime(dir.resolve("job.json")).toInstant();
    for (String file : List.of("events.jsonl", "failure", "train.log")) {
      Path p = dir.resolve(file);
      if (Files.exists(p)) {
        Instant modified = Files.getLastModifiedTime(p).toInstant();
        last = modified.isAfter(last) ? modified : last;
      }
    }
    return last;
  }

  private ProcessIdentity start(
      Path dir, LocalContract jobContract, boolean resume, Optional<Secret> token)
      throws IOException {
    List<String> command;
    if (jobContract == LocalContract.LOCAL) {
      List<String> args = new ArrayList<>(List.of("train", "--contract", "local", "--job-dir"));
      args.add(dir.toString());
      if (resume) {
        args.add("--resume");
      }
      command = java.command(trainMain, args);
    } else {
      // A contract run resumes by itself: its checkpoints stay in contract/ between attempts.
      command =
          java.command(ContractJobMain.class.getName(), List.of(jobContract.id(), dir.toString()));
    }
    Map<String, String> env = new HashMap<>();
    env.put("OPT_OUT_TRACKING", "true");
    token.ifPresent(t -> env.put("HF_TOKEN", t.value()));
    Path log = dir.resolve("train.log");
    return launcher.start(command, env, dir, log, log);
  }

  private Path newJobDir(String name, Instant now) throws IOException {
    Files.createDirectories(root);
    String base = name + "-" + ID_TIME.format(now);
    for (int n = 1; ; n++) {
      Path dir = root.resolve(n == 1 ? base : base + "-" + n);
      try {
        Files.createDirectory(dir);
        return Directories.createPrivate(dir);
      } catch (FileAlreadyExistsException e) {
        // a job of the same name started in the same second: take the next suffix
      }
    }
  }

  private Path jobDir(String id) {
    Path dir = root.resolve(id).normalize();
    if (!dir.getParent().equals(root) || !Files.isRegularFile(dir.resolve("job.json"))) {
      throw new NotFoundException(
          "No local training job '" + id + "' (in " + root + ").",
          "List the jobs with: tune jobs list --provider local");
    }
    return dir;
  }

  private static JobRecord read(Path dir) throws IOException {
    return JobRecord.fromJson(JsonFiles.read(dir.resolve("job.json")).orElseThrow());
  }

  private static Path events(Path dir) {
    return dir.resolve("events.jsonl");
  }

  private static Path lockFile(Path dir) {
    return dir.resolve("job.lock");
  }
}
