package dev.tune.container.serve;

/** What exists once the model is loaded: the model, the prompt encoder and the batch scheduler. */
record Serving(ServedModel model, PromptEncoder encoder, BatchScheduler scheduler) {

  static Serving start(ServedModel model, ServerConfig config) {
    BatchScheduler scheduler =
        new BatchScheduler(
            new BatchDecoder(model.model()),
            config.batching(),
            config.limits().maxQueuedSequences());
    return new Serving(model, new PromptEncoder(model, config.limits()), scheduler);
  }
}
