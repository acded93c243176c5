package dev.tune.local.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.RemoteFailureException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Talks to a local prediction server on its contract's routes ({@code GET /ping} for health and
 * {@code POST /invocations} for predictions on SageMaker's, {@code AIP_HEALTH_ROUTE} and {@code
 * AIP_PREDICT_ROUTE} on Vertex's), posting {@code {"instances": [...]}}.
 */
final class ServerConnection {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PREDICT_TIMEOUT = Duration.ofMinutes(10);

  private final HttpClient http;

  ServerConnection(HttpClient http) {
    this.http = http;
  }

  /** Whether the server answers its health route with 200 (the model is loaded). */
  boolean healthy(EndpointRecord endpoint) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint.healthUri()).timeout(HEALTH_TIMEOUT).GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  List<Prediction> predict(EndpointRecord endpoint, List<Prompt> prompts)
      throws InterruptedException {
    URI uri = endpoint.predictUri();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(PREDICT_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(prompts)));
    endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RemoteFailureException(
          "Endpoint " + endpoint.name() + " at " + uri + " did not answer: " + e.getMessage(),
          "Check it with: tune endpoints describe " + endpoint.name() + " --provider local",
          e);
    }
    return predictions(endpoint, response);
  }

  private static String body(List<Prompt> prompts) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode instances = root.putArray("instances");
    for (Prompt p : prompts) {
      instances
          .addObject()
          .put("prompt", p.text())
          .put("max_tokens", p.maxTokens())
          .put("temperature", p.temperature())
          .put("top_p", p.topP())
          .put("top_k", p.topK());
    }
    root.putObject("parameters");
    return root.toString();
  }

  private static List<Prediction> predictions(
      EndpointRecord endpoint, HttpResponse<String> response) {
    int status = response.statusCode();
    String detail = errorMessage(response.body());
    if (status == 401 || status == 403) {
      throw new AuthException(
          "Endpoint " + endpoint.name() + " refused the request: " + detail,
          "The endpoint was created with an API key; set TUNE_API_KEY to it and recreate the"
              + " endpoint, or delete and deploy it again.");
    }
    if (status >= 400 && status < 500) {
      throw new BadInputException(
          "Endpoint " + endpoint.name() + " rejected the request (HTTP " + status + "): " + detail,
          "Change the prompt or its parameters as the message says.");
    }
    if (status != 200) {
      throw new RemoteFailureException(
          "Endpoint " + endpoint.name() + " failed (HTTP " + status + "): " + detail,
          "Read its log in the endpoint's directory, or wait until it is IN_SERVICE: tune"
              + " endpoints describe "
              + endpoint.name()
              + " --provider local");
    }
    try {
      JsonNode predictions = JSON.readTree(response.body()).path("predictions");
      if (!predictions.isArray()) {
        throw new IOException("the answer has no \"predictions\" array");
      }
      List<Prediction> result = new ArrayList<>();
      for (JsonNode p : predictions) {
        result.add(new Prediction(p.isTextual() ? p.asText() : p.path("text").asText()));
      }
      return result;
    } catch (IOException e) {
      throw new RemoteFailureException(
          "Endpoint "
              + endpoint.name()
              + " answered something that is not a prediction: "
              + e.getMessage(),
          "Redeploy the model; the server does not follow tune's prediction contract.",
          e);
    }
  }

  private static String errorMessage(String body) {
    try {
      JsonNode tree = JSON.readTree(body);
      JsonNode error = tree.path("error");
      if (error.isTextual()) {
        return error.asText();
      }
      if (error.path("message").isTextual()) {
        return error.path("message").asText();
      }
    } catch (IOException e) {
      // not JSON: show it as it is
    }
    return body.length() > 500 ? body.substring(0, 500) + "..." : body;
  }
}
