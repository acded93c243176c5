package dev.tune.container.serve;

import java.util.Map;

/** Which platform's serving contract the server speaks: its port, routes and model location. */
public enum Contract {
  /** SageMaker hosting: {@code GET /ping}, {@code POST /invocations}, port 8080. */
  SAGEMAKER,
  /** Vertex AI custom containers: routes and port from the {@code AIP_*} variables. */
  VERTEX;

  /** Vertex sets {@code AIP_*} variables in every serving container; SageMaker sets none. */
  public static Contract detect(Map<String, String> env) {
    return env.containsKey(ServerConfig.AIP_HTTP_PORT)
            || env.containsKey(ServerConfig.AIP_PREDICT_ROUTE)
            || env.containsKey(ServerConfig.AIP_HEALTH_ROUTE)
            || env.containsKey(ServerConfig.AIP_STORAGE_URI)
        ? VERTEX
        : SAGEMAKER;
  }
}
