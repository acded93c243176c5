/**
 * The {@code local} provider: trains, registers and serves on this machine, with the same
 * operations as the cloud providers.
 *
 * <p>Everything lives below {@link dev.tune.core.provider.LocalSettings#workDir()} ({@code
 * ~/.tune/local} by default), so the state outlives any one CLI and several CLIs can work at once:
 *
 * <pre>
 * jobs/ID/          spec.json, job.json (pid + start time), train.log, events.jsonl, failure,
 *                   checkpoints/checkpoint-N/, output/{model,adapter,metrics.json,report.html}
 * registry/models/NAME/vN/
 *                   model.json (metadata, lineage, metrics), model/, metrics.json, spec.json
 * endpoints/NAME/   endpoint.json (pid, port, model), serve.log, serve.err.log
 * </pre>
 *
 * <p>Jobs and endpoints are child JVMs running the container's entrypoint ({@code
 * dev.tune.container.ContainerMain train|serve}) with this JVM's java and class path, detached from
 * the CLI. No process writes a final state: a job's state is read from its files and from whether
 * its process (pid and start time) still runs, so a CLI started later reads it correctly.
 */
package dev.tune.local;
