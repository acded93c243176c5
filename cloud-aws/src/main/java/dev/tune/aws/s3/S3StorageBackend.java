package dev.tune.aws.s3;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.S3Uri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.BucketBackendBuilder;
import dev.tune.core.storage.BucketLayout;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.SerialListener;
import dev.tune.core.storage.StorageBackend;
import dev.tune.core.storage.StoredFile;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Objects and prefixes in Amazon S3 or an S3-compatible store ({@code s3://BUCKET/KEY}, {@code
 * s3://BUCKET/PREFIX/}).
 *
 * <p>A key that names an object is that object; any other key, and one ending in {@code /}, is a
 * prefix whose objects are fetched, several at once, into a directory that mirrors the keys below
 * the prefix. Without a destination, files go to a cache ({@code ~/.cache/tune/s3/BUCKET/KEY}); a
 * file whose size and modification time match the object's moves nothing, so a second fetch is
 * free. Files arrive through a temporary name, checked against the object's size and MD5 ETag; a
 * broken connection resumes with {@code Range}. The per-fetch token of {@link FetchOptions} is not
 * used: credentials come from the AWS default chain.
 *
 * <p>Uploads write a file to the key given, or a directory's files below it; files above {@link
 * Builder#multipart the multipart threshold} go as multipart uploads, aborted on failure.
 *
 * <p>Settings come from the environment unless the builder sets them: credentials and region from
 * the AWS default chains ({@code AWS_PROFILE}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_REGION},
 * {@code ~/.aws/config}, instance roles; with no region, {@code us-east-1} and cross-region
 * access); an S3-compatible store's URL from {@code AWS_ENDPOINT_URL_S3} (else {@code
 * AWS_ENDPOINT_URL}, or the system properties {@code aws.endpointUrlS3} and {@code
 * aws.endpointUrl}), addressed path-style ({@code TUNE_S3_PATH_STYLE=false} turns that off).
 */
public final class S3StorageBackend implements StorageBackend {
  private final Optional<URI> endpoint;
  private final Optional<Region> region;
  private final boolean pathStyle;
  private final Optional<AwsCredentialsProvider> credentials;
  private final Path cacheDir;
  private final int maxAttempts;
  private final Duration retryBaseDelay;
  private final long multipartThreshold;
  private final long partSize;
  private final S3Errors errors;
  private S3Client client;
  private AwsCredentialsProvider resolvedCredentials;

  /** Reads its settings from the environment; see the class comment. */
  public S3StorageBackend() {
    this(builder().environment(System.getenv()).systemProperties(System.getProperties()));
  }

  private S3StorageBackend(Builder b) {
    this.endpoint = b.endpoint;
    this.region = b.region;
    this.pathStyle = b.pathStyle.orElse(b.endpoint.isPresent());
    this.credentials = b.credentials;
    this.cacheDir = b.cacheDir();
    this.maxAttempts = b.maxAttempts();
    this.retryBaseDelay = b.retryBaseDelay();
    this.multipartThreshold = b.multipartThreshold;
    this.partSize = b.partSize;
    this.errors = new S3Errors(b.endpoint.map(URI::toString));
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  /** Where fetches without a destination put files. */
  public Path cacheDir() {
    return cacheDir;
  }

  @Override
  public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
    S3Uri uri = s3Uri(source);
    S3Client s3 = client(uri);
    List<S3Object> objects = new S3Listing(s3, errors).at(uri);
    ObjectDownload download = new ObjectDownload(s3, errors, maxAttempts);
    ProgressListener serial = new SerialListener(listener);
    return BucketLayout.fetch(
        uri,
        uri.key(),
        objects,
        cacheDir.resolve(uri.bucket()),
        options,
        (object, target) -> {
          S3Uri objectUri = new S3Uri(uri.bucket(), object.name());
          download.fetch(objectUri, object, target, new FileProgress(objectUri, serial));
        });
  }

  @Override
  public List<StoredFile> list(ArtifactUri location) {
    S3Uri uri = s3Uri(location);
    return BucketLayout.storedFiles(new S3Listing(client(uri), errors).at(uri));
  }

  /**
   * Copies a file to the object {@code destination} names (below it, under the file's name, when
   * the key is empty or ends in {@code /}), or a directory's files below {@code destination}.
   */
  @Override
  public ArtifactUri upload(Path source, ArtifactUri destination, ProgressListener listener) {
    S3Uri uri = s3Uri(destination);
    ProgressListener serial = new SerialListener(listener);
    return BucketLayout.upload(
        source,
        uri,
        uri.key(),
        uri::resolve,
        (file, target) ->
            new ObjectUpload(
                    client(target),
                    errors,
                    multipartThreshold,
                    partSize,
                    FetchOptions.DEFAULT_PARALLELISM)
                .upload(file, target, new FileProgress(target, serial)));
  }

  /**
   * The client, built on first use (constructing the backend to read its schemes must stay cheap),
   * after checking that credentials exist: the SDK would otherwise fail with a message that hides
   * which location was being read.
   */
  private synchronized S3Client client(S3Uri uri) {
    if (resolvedCredentials == null) {
      AwsCredentialsProvider provider =
          credentials.orElseGet(() -> DefaultCredentialsProvider.builder().build());
      try {
        provider.resolveCredentials();
      } catch (SdkException e) {
        throw errors.noCredentials(e, uri);
      }
      resolvedCredentials = provider;
    }
    if (client == null) {
      S3ClientBuilder builder =
          S3Client.builder()
              .credentialsProvider(resolvedCredentials)
              .forcePathStyle(pathStyle)
              .overrideConfiguration(
                  o ->
                      o.retryStrategy(
                          AwsRetryStrategy.standardRetryStrategy().toBuilder()
                              .maxAttempts(maxAttempts)
                              .backoffStrategy(
                                  BackoffStrategy.exponentialDelay(
                                      retryBaseDelay, retryBaseDelay.multipliedBy(40)))
                              .throttlingBackoffStrategy(
                                  BackoffStrategy.exponentialDelay(
                                      retryBaseDelay.multipliedBy(2),
                                      retryBaseDelay.multipliedBy(40)))
                              .circuitBreakerEnabled(false)
                              .build()));
      endpoint.ifPresent(
          url ->
              builder
                  .endpointOverride(url)
                  // S3-compatible stores (S3Proxy, older MinIO, Ceph) refuse the checksum
                  // trailers the SDK sends to AWS by default; send checksums only when required.
                  .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                  .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
      Optional<Region> chosen = region.or(S3StorageBackend::regionFromChain);
      builder.region(chosen.orElse(Region.US_EAST_1));
      if (chosen.isEmpty() && endpoint.isEmpty()) {
        builder.crossRegionAccessEnabled(true);
      }
      client = builder.build();
    }
    return client;
  }

  private static Optional<Region> regionFromChain() {
    try {
      return Optional.of(new DefaultAwsRegionProviderChain().getRegion());
    } catch (SdkException e) {
      return Optional.empty();
    }
  }

  private static S3Uri s3Uri(ArtifactUri uri) {
    if (uri instanceof S3Uri s3) {
      return s3;
    }
    throw new IllegalArgumentException("not an s3:// URI: " + uri);
  }

  @Override
  public String toString() {
    return "S3StorageBackend[endpoint="
        + endpoint.map(URI::toString).orElse("AWS")
        + ", cache="
        + cacheDir
        + "]";
  }

  /** Builds an {@link S3StorageBackend}; not thread-safe. */
  public static final class Builder extends BucketBackendBuilder<Builder> {
    private Optional<URI> endpoint = Optional.empty();
    private Optional<Region> region = Optional.empty();
    private Optional<Boolean> pathStyle = Optional.empty();
    private Optional<AwsCredentialsProvider> credentials = Optional.empty();
    private long multipartThreshold = 64L << 20;
    private long partSize = 16L << 20;

    private Builder() {
      super("s3", Duration.ofMillis(200));
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Takes {@code AWS_ENDPOINT_URL_S3} (else {@code AWS_ENDPOINT_URL}) and {@code
     * TUNE_S3_PATH_STYLE} from {@code env}.
     *
     * @throws BadInputException if the endpoint is not an http(s) URL
     */
    public Builder environment(Map<String, String> env) {
      Optional.ofNullable(env.get("AWS_ENDPOINT_URL_S3"))
          .or(() -> Optional.ofNullable(env.get("AWS_ENDPOINT_URL")))
          .filter(s -> !s.isBlank())
          .ifPresent(url -> endpoint(parseEndpoint(url)));
      Optional.ofNullable(env.get("TUNE_S3_PATH_STYLE"))
          .filter(s -> !s.isBlank())
          .ifPresent(v -> pathStyle(!v.strip().toLowerCase(Locale.ROOT).matches("false|0|no")));
      return this;
    }

    /**
     * Takes the endpoint from the AWS SDK's system properties {@code aws.endpointUrlS3} (else
     * {@code aws.endpointUrl}), which win over the environment as they do in the SDK.
     */
    public Builder systemProperties(Properties properties) {
      Optional.ofNullable(properties.getProperty("aws.endpointUrlS3"))
          .or(() -> Optional.ofNullable(properties.getProperty("aws.endpointUrl")))
          .filter(s -> !s.isBlank())
          .ifPresent(url -> endpoint(parseEndpoint(url)));
      return this;
    }

    private static URI parseEndpoint(String url) {
      try {
        URI uri = URI.create(url.strip());
        if (uri.getHost() == null
            || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
          throw new IllegalArgumentException("not an http(s) URL");
        }
        return uri;
      } catch (IllegalArgumentException e) {
        throw new BadInputException(
            "AWS_ENDPOINT_URL_S3 is '" + url + "', which is not an http(s) URL.",
            "Set it to the S3-compatible store's URL, e.g. http://localhost:9000, or unset it.");
      }
    }

    /** An S3-compatible store (or a test server) instead of AWS. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Optional.of(endpoint);
      return this;
    }

    public Builder region(Region region) {
      this.region = Optional.of(region);
      return this;
    }

    /**
     * Whether buckets go in the path rather than the host name; default: when an endpoint is set.
     */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = Optional.of(pathStyle);
      return this;
    }

    /** Credentials other than the AWS default chain's. */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = Optional.of(Objects.requireNonNull(credentials, "credentials"));
      return this;
    }

    /**
     * Files larger than {@code thresholdBytes} are uploaded in parts of {@code partBytes} (AWS
     * wants at least 5 MiB a part, the last excepted; at most 10,000 parts).
     */
    public Builder multipart(long thresholdBytes, long partBytes) {
      if (partBytes < 1 || thresholdBytes < 0) {
        throw new IllegalArgumentException("multipart sizes must be positive");
      }
      this.multipartThreshold = thresholdBytes;
      this.partSize = partBytes;
      return this;
    }

    public S3StorageBackend build() {
      return new S3StorageBackend(this);
    }
  }
}
