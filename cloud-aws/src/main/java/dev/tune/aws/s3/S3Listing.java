package dev.tune.aws.s3;

import dev.tune.core.artifact.S3Uri;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.storage.BucketLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Finds the objects an {@code s3://} location stands for. A key that names an object is that
 * object; any other key, and a key ending in {@code /}, is a prefix ("directory") whose objects are
 * all taken, except the empty {@code .../} markers that consoles create for folders.
 */
final class S3Listing {
  private final S3Client client;
  private final S3Errors errors;

  S3Listing(S3Client client, S3Errors errors) {
    this.client = client;
    this.errors = errors;
  }

  /**
   * The objects at {@code uri}.
   *
   * @throws NotFoundException if there is neither an object nor a prefix with objects
   */
  List<S3Object> at(S3Uri uri) {
    String key = uri.key();
    Optional<S3Exception> headRefused = Optional.empty();
    if (!BucketLayout.isPrefixOnly(key)) {
      try {
        Optional<S3Object> single = head(uri);
        if (single.isPresent()) {
          return List.of(single.get());
        }
      } catch (S3Exception e) {
        // A refused HEAD has no body to say why; the listing's answer does.
        headRefused = Optional.of(e);
      }
    }
    String prefix = BucketLayout.prefixOf(key);
    List<S3Object> below = new ArrayList<>();
    try {
      for (ListObjectsV2Response page :
          client.listObjectsV2Paginator(b -> b.bucket(uri.bucket()).prefix(prefix))) {
        for (software.amazon.awssdk.services.s3.model.S3Object o : page.contents()) {
          if (o.key().endsWith("/")) {
            continue;
          }
          below.add(
              new S3Object(
                  o.key(),
                  o.key().substring(prefix.length()),
                  o.size(),
                  S3Object.unquote(o.eTag()),
                  o.lastModified()));
        }
      }
    } catch (SdkException e) {
      throw errors.map(e, "listing", uri);
    }
    if (below.isEmpty() && headRefused.isPresent()) {
      throw errors.map(headRefused.get(), "reading", uri);
    }
    if (below.isEmpty()) {
      throw BucketLayout.nothingAt(uri, key, "aws s3 ls");
    }
    return below;
  }

  /** The object {@code uri} names, if there is one; other S3 failures are thrown as they are. */
  private Optional<S3Object> head(S3Uri uri) {
    try {
      HeadObjectResponse head = client.headObject(b -> b.bucket(uri.bucket()).key(uri.key()));
      return Optional.of(
          new S3Object(
              uri.key(),
              BucketLayout.fileName(uri.key()),
              head.contentLength(),
              S3Object.unquote(head.eTag()),
              head.lastModified()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      // HEAD answers carry no body, so a missing bucket is a bare 404 too; the listing that
      // follows says which it is.
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    } catch (SdkException e) {
      throw errors.map(e, "reading", uri);
    }
  }
}
