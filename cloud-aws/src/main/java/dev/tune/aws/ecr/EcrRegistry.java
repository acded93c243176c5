package dev.tune.aws.ecr;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private Amazon ECR registry host: {@code ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]}.
 *
 * @param accountId the 12-digit AWS account
 * @param region e.g. {@code eu-west-1}
 */
record EcrRegistry(String accountId, String region) {
  private static final Pattern HOST =
      Pattern.compile(
          "^(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?(?::\\d+)?$");

  /** The registry named by {@code host}, if it is an ECR one. */
  static Optional<EcrRegistry> parse(String host) {
    Matcher m = HOST.matcher(host);
    return m.matches() ? Optional.of(new EcrRegistry(m.group(1), m.group(2))) : Optional.empty();
  }
}
