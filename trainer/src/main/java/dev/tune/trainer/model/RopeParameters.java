package dev.tune.trainer.model;

import java.util.Optional;

/**
 * RoPE settings as transformers reads them, from {@code rope_parameters} (transformers 5) or from
 * top-level {@code rope_theta} + {@code rope_scaling} (older checkpoints such as Llama 2 and
 * Mistral-7B-v0.1).
 *
 * @param factor the scaling factor ({@code linear}, {@code llama3}); 1 for {@code default}
 * @param lowFreqFactor {@code llama3} only, else 0
 * @param highFreqFactor {@code llama3} only, else 0
 * @param originalMaxPositionEmbeddings {@code llama3} only, else 0
 */
public record RopeParameters(
    RopeType ropeType,
    double ropeTheta,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositionEmbeddings) {

  /** transformers' default {@code rope_theta}. */
  public static final double DEFAULT_THETA = 10000.0;

  public RopeParameters {
    if (!(ropeTheta > 0)) {
      throw ModelConfigException.invalid("rope_theta must be positive, got " + ropeTheta);
    }
    if (ropeType != RopeType.DEFAULT && !(factor > 0)) {
      throw ModelConfigException.invalid(
          "rope factor must be positive for rope_type " + ropeType.configName());
    }
    if (ropeType == RopeType.LLAMA3) {
      if (!(highFreqFactor > lowFreqFactor)) {
        throw ModelConfigException.invalid(
            "llama3 rope needs high_freq_factor > low_freq_factor, got "
                + highFreqFactor
                + " and "
                + lowFreqFactor);
      }
      if (originalMaxPositionEmbeddings <= 0) {
        throw ModelConfigException.invalid(
            "llama3 rope needs a positive original_max_position_embeddings");
      }
    }
  }

  public static RopeParameters standard(double theta) {
    return new RopeParameters(RopeType.DEFAULT, theta, 1.0, 0, 0, 0);
  }

  static RopeParameters read(ConfigJson config) {
    Optional<ConfigJson> parameters = config.object("rope_parameters");
    if (parameters.isPresent()) {
      ConfigJson p = parameters.get();
      if (!p.has("rope_type") && !p.has("type") && !p.has("rope_theta")) {
        throw new ModelConfigException(
            p.source() + " holds neither rope_type nor rope_theta",
            "per-layer RoPE settings are not supported; use a checkpoint with one"
                + " rope_parameters object");
      }
      double theta = p.doubleOr(config.doubleOr(DEFAULT_THETA, "rope_theta"), "rope_theta");
      return scaled(p, theta);
    }
    double theta = config.doubleOr(DEFAULT_THETA, "rope_theta");
    Optional<ConfigJson> scaling = config.object("rope_scaling");
    return scaling.isPresent() ? scaled(scaling.get(), theta) : standard(theta);
  }

  private static RopeParameters scaled(ConfigJson p, double theta) {
    // "type" is the spelling of older checkpoints, "rope_type" the current one.
    RopeType type =
        RopeType.parse(p.optionalString("rope_type", "type").orElse("default"), p.source());
    return switch (type) {
      case DEFAULT -> standard(theta);
      case LINEAR -> new RopeParameters(type, theta, p.requiredDouble("factor"), 0, 0, 0);
      case LLAMA3 ->
          new RopeParameters(
              type,
              theta,
              p.requiredDouble("factor"),
              p.requiredDouble("low_freq_factor"),
              p.requiredDouble("high_freq_factor"),
              p.requiredInt("original_max_position_embeddings"));
    };
  }
}
