/**
 * The prediction server that the container's {@code serve} entrypoint ({@link
 * dev.tune.container.serve.ServeMain}) runs: one HTTP server for the SageMaker contract ({@code GET
 * /ping}, {@code POST /invocations}, port 8080, model in {@code /opt/ml/model}) and the Vertex
 * contract ({@code AIP_HTTP_PORT}, {@code AIP_HEALTH_ROUTE}, {@code AIP_PREDICT_ROUTE}, {@code
 * AIP_STORAGE_URI}).
 *
 * <p>Requests: {@code {"instances": [{"prompt" | "messages", "max_tokens", "temperature", "top_p",
 * "top_k", "seed"} | "text", ...], "parameters": {...}, "stream": false}}, or {@code {"inputs":
 * "text" | [...], "parameters": {"max_new_tokens", "do_sample", ...}}}, or {@code {"messages":
 * [...], "parameters": {...}}}. Answers: {@code {"predictions": [{"text", "finish_reason",
 * "prompt_tokens", "completion_tokens"}, ...]}}; with {@code "stream": true}, server-sent events
 * (see {@link dev.tune.container.serve.PredictHandler}). Errors: {@code {"error": {"message",
 * "type", "status"}}} with 400, 401, 404, 405, 408, 413, 429 or 503.
 *
 * <p>Flow: {@link dev.tune.container.serve.RequestParser} checks the JSON, {@link
 * dev.tune.container.serve.PromptEncoder} tokenizes and applies token limits, {@link
 * dev.tune.container.serve.BatchScheduler} groups the prompts of concurrent requests, {@link
 * dev.tune.container.serve.BatchDecoder} decodes each group in one batch on a key/value cache.
 */
package dev.tune.container.serve;
