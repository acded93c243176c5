package dev.tune.core.run;

/**
 * The steps of {@code tune run}, in order. Merging the adapter into the base weights happens inside
 * the training job (the train entrypoint exports a merged model), so it is part of {@link #TRAIN}.
 */
public enum RunStep {
  /** Train, then merge and export the model. */
  TRAIN,
  /** Add the exported model to the provider's registry. */
  REGISTER,
  /** Create an endpoint for the registered model and wait until it serves. */
  DEPLOY,
  /** Send one prompt to the endpoint. */
  PREDICT
}
