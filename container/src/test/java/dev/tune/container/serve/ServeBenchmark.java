package dev.tune.container.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures for the server on a model directory (the tiny Llama fixture by default): tokens/s and
 * p50/p99 request latency for 1 and 16 concurrent clients over loopback HTTP, and the time of a
 * 64-token greedy generation with and without the key/value cache. Not a unit test: run it with the
 * command in the report ({@code java ... ServeBenchmark [MODEL_DIR]}).
 */
public final class ServeBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PROMPTS =
      List.of("Hello", "The quick brown fox", "Name a primary colour.", "Paris is");
  private static final int MAX_TOKENS = 32;

  /** Requests each client sends, by number of clients. */
  private static final Map<Integer, Integer> REQUESTS_PER_CLIENT = Map.of(1, 16, 16, 8);

  private ServeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path modelDir =
        args.length > 0 && !args[0].equals("--cache-only") ? Path.of(args[0]) : LlamaFixture.dir();
    System.out.printf(
        Locale.ROOT,
        "model %s, %d CPU(s), %s%n",
        modelDir,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    if (!List.of(args).contains("--cache-only")) {
      serverFigures(modelDir);
    }
    cacheFigures(modelDir);
  }

  private static void serverFigures(Path modelDir) throws Exception {
    ServerConfig config =
        ServerConfig.fromEnvironment(
                Map.of("SM_MODEL_DIR", modelDir.toString()), Contract.SAGEMAKER)
            .withPort(0)
            .withBatching(new BatchingOptions(16, Duration.ofMillis(2)));
    try (PredictionServer server = PredictionServer.start(config)) {
      server.ready().get(5, TimeUnit.MINUTES);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/invocations");
      run(client, uri, 4, 8); // warm-up: JIT, allocator, connection pool
      System.out.printf(
          Locale.ROOT,
          "%-8s %9s %9s %10s %10s %10s %8s%n",
          "clients",
          "requests",
          "tokens",
          "tokens/s",
          "p50 ms",
          "p99 ms",
          "batches");
      for (int clients : new int[] {1, 16}) {
        long batchesBefore = server.metrics().batches();
        Result r = run(client, uri, clients, REQUESTS_PER_CLIENT.get(clients));
        System.out.printf(
            Locale.ROOT,
            "%-8d %9d %9d %10.1f %10.1f %10.1f %8d%n",
            clients,
            r.latenciesMs.size(),
            r.tokens,
            r.tokens / r.seconds,
            percentile(r.latenciesMs, 0.50),
            percentile(r.latenciesMs, 0.99),
            server.metrics().batches() - batchesBefore);
      }
    }
  }

  private record Result(List<Double> latenciesMs, long tokens, double seconds) {}

  private static Result run(HttpClient client, URI uri, int clients, int perClient)
      throws Exception {
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong tokens = new AtomicLong();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int offset = c;
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perClient; i++) {
                    String body =
                        "{\"instances\": [{\"prompt\": \""
                            + PROMPTS.get((offset + i) % PROMPTS.size())
                            + "\", \"max_tokens\": "
                            + MAX_TOKENS
                            + "}]}";
                    long t0 = System.nanoTime();
                    HttpResponse<String> response =
                        client.send(
                            HttpRequest.newBuilder(uri)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    latencies.add((System.nanoTime() - t0) / 1e6);
                    if (response.statusCode() != 200) {
                      throw new IllegalStateException(response.body());
                    }
                    JsonNode json = JSON.readTree(response.body());
                    tokens.addAndGet(json.at("/predictions/0/completion_tokens").asLong());
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    }
    return new Result(latencies, tokens.get(), (System.nanoTime() - start) / 1e9);
  }

  private static double percentile(List<Double> values, double q) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static void cacheFigures(Path modelDir) {
    int newTokens = 64;
    int repeats = 5;
    try (ServedModel served = ServedModel.load(modelDir);
        NDManager manager = NDManager.newBaseManager()) {
      CausalLm model = served.model();
      long[] prompt = served.tokenizer().encode("Hello");
      Generator generator = new Generator(model);
      SamplingParams greedy = SamplingParams.greedy(newTokens);
      long[] cachedTokens = generator.generate(prompt, greedy).tokens();
      long[] uncachedTokens = uncached(model, manager, prompt, newTokens);
      double[] cached = new double[repeats];
      double[] uncached = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        generator.generate(prompt, greedy);
        cached[i] = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        uncached(model, manager, prompt, newTokens);
        uncached[i] = (System.nanoTime() - t1) / 1e6;
      }
      Arrays.sort(cached);
      Arrays.sort(uncached);
      double c = cached[repeats / 2];
      double u = uncached[repeats / 2];
      System.out.printf(
          Locale.ROOT,
          "%d-token greedy generation (prompt %d tokens), median of %d: with KV cache %.1f ms,"
              + " without %.1f ms, speed-up %.2fx; %.2f ms per cached step; same tokens: %s%n",
          newTokens,
          prompt.length,
          repeats,
          c,
          u,
          u / c,
          c / newTokens,
          Arrays.equals(cachedTokens, uncachedTokens));
    }
  }

  /** Greedy decoding without a cache: the whole sequence through the model for every token. */
  private static long[] uncached(CausalLm model, NDManager manager, long[] prompt, int n) {
    long[] seq = prompt.clone();
    for (int i = 0; i < n; i++) {
      try (NDManager step = manager.newSubManager()) {
        NDArray logits = model.logits(step.create(seq, new Shape(1, seq.length)));
        long next = logits.get(0, seq.length - 1).argMax().getLong();
        seq = Arrays.copyOf(seq, seq.length + 1);
        seq[seq.length - 1] = next;
      }
    }
    return Arrays.copyOfRange(seq, prompt.length, seq.length);
  }
}
