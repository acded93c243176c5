package dev.tune.container.serve;

import com.sun.net.httpserver.HttpExchange;
import dev.tune.trainer.model.generation.FinishReason;
import dev.tune.trainer.model.generation.GenerationResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers a prediction request: parse, encode, queue for batched decoding, then reply with {@code
 * {"predictions": [...]}} or, when the request streams, with server-sent events as tokens arrive.
 *
 * <p>Each prediction is {@code {"text", "finish_reason" ("stop" at an end-of-sequence token,
 * "length" at max_tokens), "prompt_tokens", "completion_tokens"}}. A stream sends {@code {"index",
 * "token", "text"}} per token (text: the new piece), then per prompt the full prediction with its
 * {@code index}, or {@code {"index", "error"}}, and finally {@code [DONE]}.
 */
final class PredictHandler {

  /** How long after a request's deadline the handler stops waiting for the decoder to say so. */
  private static final long DEADLINE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final Serving serving;
  private final ServerLimits limits;
  private final RequestParser parser;

  PredictHandler(Serving serving, ServerLimits limits) {
    this.serving = serving;
    this.limits = limits;
    this.parser = new RequestParser(limits.maxInstances());
  }

  void handle(HttpExchange exchange) throws IOException {
    long deadline = System.nanoTime() + limits.requestTimeout().toNanos();
    byte[] body = Exchanges.readBody(exchange, limits.maxBodyBytes());
    PredictionRequest request = parser.parse(body);
    List<PromptEncoder.Encoded> encoded = serving.encoder().encode(request);
    if (request.stream()) {
      stream(exchange, encoded, deadline);
    } else {
      answer(exchange, encoded, deadline);
    }
  }

  private void answer(HttpExchange exchange, List<PromptEncoder.Encoded> encoded, long deadline)
      throws IOException {
    List<Sequence> sequences = new ArrayList<>();
    for (PromptEncoder.Encoded e : encoded) {
      sequences.add(new Sequence(e.ids(), e.params(), deadline, TokenListener.NONE));
    }
    serving.scheduler().submit(sequences);
    List<Object> predictions = new ArrayList<>();
    try {
      for (Sequence s : sequences) {
        predictions.add(prediction(await(s, deadline), s.promptLength()));
      }
    } finally {
      sequences.forEach(Sequence::cancel);
    }
    Exchanges.sendJson(exchange, 200, Map.of("predictions", predictions));
  }

  private GenerationResult await(Sequence sequence, long deadline) {
    long wait = Math.max(0, deadline + DEADLINE_SLACK_NANOS - System.nanoTime());
    try {
      return sequence.result().get(wait, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw timedOut();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.unavailable("The server is shutting down.");
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    }
  }

  private ApiError timedOut() {
    return ApiError.timeout(
        "The request did not finish within the server's limit of "
            + limits.requestTimeout().toMillis()
            + " ms (the server may be busy). Ask for fewer max_tokens or retry later.");
  }

  private static ApiError failure(Throwable cause) {
    return switch (cause) {
      case ApiError api -> api;
      case CancellationException c ->
          ApiError.unavailable("The request was cancelled: the server is shutting down.");
      default -> ApiError.internal("Generation failed: " + cause);
    };
  }

  private Map<String, Object> prediction(GenerationResult result, int promptTokens) {
    long[] tokens = result.tokens();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("text", serving.model().tokenizer().decode(tokens, true));
    p.put("finish_reason", result.finishReason() == FinishReason.EOS ? "stop" : "length");
    p.put("prompt_tokens", promptTokens);
    p.put("completion_tokens", tokens.length);
    return p;
  }

  // --- server-sent events

  private sealed interface Event {}

  private record TokenEvent(int index, int token) implements Event {}

  private record EndEvent(int index, GenerationResult result, Throwable error) implements Event {}

  private void stream(HttpExchange exchange, List<PromptEncoder.Encoded> encoded, long deadline)
      throws IOException {
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    List<Sequence> sequences = new ArrayList<>();
    for (int i = 0; i < encoded.size(); i++) {
      int index = i;
      PromptEncoder.Encoded e = encoded.get(i);
      Sequence s =
          new Sequence(
              e.ids(), e.params(), deadline, token -> events.add(new TokenEvent(index, token)));
      // The end event follows the token events: both come from the decoding thread, in order.
      CompletableFuture<?> unused =
          s.result().whenComplete((r, error) -> events.add(new EndEvent(index, r, error)));
      sequences.add(s);
    }
    // Queue before the 200 goes out, so a full queue is still a plain 429.
    serving.scheduler().submit(sequences);
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      List<IncrementalText> texts = new ArrayList<>();
      for (int i = 0; i < sequences.size(); i++) {
        texts.add(new IncrementalText(serving.model().tokenizer()));
      }
      int open = sequences.size();
      while (open > 0) {
        Event event = poll(events, deadline);
        switch (event) {
          case null -> {
            send(out, Exchanges.errorBody(timedOut()));
            return;
          }
          case TokenEvent t -> {
            Map<String, Object> piece = new LinkedHashMap<>();
            piece.put("index", t.index());
            piece.put("token", t.token());
            piece.put("text", texts.get(t.index()).add(t.token()));
            send(out, piece);
          }
          case EndEvent end -> {
            open--;
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("index", end.index());
            if (end.error() == null) {
              last.putAll(prediction(end.result(), sequences.get(end.index()).promptLength()));
            } else {
              last.putAll(Exchanges.errorBody(failure(end.error())));
            }
            send(out, last);
          }
        }
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    } finally {
      // Whatever ended the stream (done, timeout, a client that went away), stop decoding for it.
      sequences.forEach(Sequence::cancel);
    }
  }

  private static Event poll(BlockingQueue<Event> events, long deadline) {
    long wait = Math.max(0, deadline + DEADLINE_SLACK_NANOS - System.nanoTime());
    try {
      return events.poll(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void send(OutputStream out, Object data) throws IOException {
    out.write("data: ".getBytes(StandardCharsets.UTF_8));
    out.write(Exchanges.json(data));
    out.write("\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
