/**
 * The container's {@code train} entrypoint ({@link dev.tune.container.train.TrainMain}): one run of
 * the trainer under a platform's contract. A {@link dev.tune.container.train.TrainLayout} says
 * where the spec, the inputs and the outputs are for the local provider, SageMaker or Vertex;
 * {@code TrainJob} fetches through core's storage SPI, trains with resume, merges, answers the
 * sample prompts before and after, and writes metrics.json and events.jsonl, or the reason of a
 * failure where the platform shows it.
 */
package dev.tune.container.train;
