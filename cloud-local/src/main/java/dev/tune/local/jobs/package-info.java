/**
 * Local training jobs: one detached {@code train --contract local --job-dir DIR} process per job,
 * its state derived from {@code events.jsonl}, {@code failure}, {@code job.json} and whether the
 * process runs; cancel, followed logs, and resume from the newest checkpoint in the same directory.
 */
package dev.tune.local.jobs;
