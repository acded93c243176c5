package dev.tune.aws.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 API on loopback for one test: S3Proxy in this process, over jclouds' in-memory blob store,
 * checking AWS signatures against {@link #ACCESS_KEY} and {@link #SECRET_KEY}. Started before each
 * test and stopped after it, so that every test sees empty storage.
 */
final class LocalS3 implements BeforeEachCallback, AfterEachCallback {
  static final String ACCESS_KEY = "AKIDLOCALS3TEST";
  static final String SECRET_KEY = "local-s3-secret-that-must-not-leak";

  private S3Proxy proxy;
  private BlobStoreContext context;
  private S3Client client;

  @Override
  public void beforeEach(ExtensionContext extension) throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .overrides(new Properties())
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .build();
    proxy.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void afterEach(ExtensionContext extension) throws Exception {
    if (client != null) {
      client.close();
      client = null;
    }
    proxy.stop();
    context.close();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** A backend pointed at this server with the right credentials and quick retries. */
  S3StorageBackend.Builder backend() {
    return S3StorageBackend.builder()
        .endpoint(endpoint())
        .region(Region.US_EAST_1)
        .credentials(credentials(ACCESS_KEY, SECRET_KEY))
        .retries(3, Duration.ofMillis(5));
  }

  static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
  }

  /** A plain SDK client for arranging and inspecting what the store holds. */
  S3Client client() {
    if (client == null) {
      client =
          S3Client.builder()
              .endpointOverride(endpoint())
              .region(Region.US_EAST_1)
              .forcePathStyle(true)
              .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
              .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
              .credentialsProvider(credentials(ACCESS_KEY, SECRET_KEY))
              .build();
    }
    return client;
  }
}
