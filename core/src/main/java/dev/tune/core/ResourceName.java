package dev.tune.core;

import java.util.regex.Pattern;

/**
 * The rule for names tune gives to models and endpoints. It is the strictest of the providers'
 * rules (SageMaker's), so a name that passes works everywhere.
 */
public final class ResourceName {
  private static final Pattern PATTERN = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");

  /** What a valid name looks like, for messages. */
  public static final String RULE =
      "1 to 63 letters, digits and hyphens, starting and ending with a letter or digit";

  private ResourceName() {}

  /** Whether {@code name} is a valid model or endpoint name. */
  public static boolean isValid(String name) {
    return name != null && PATTERN.matcher(name).matches();
  }
}
