package dev.tune.gcp.gcs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.UrlPattern;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

/**
 * Teaches a WireMock server to answer the Cloud Storage JSON API requests the official client
 * makes, in the documented shapes: object metadata ({@code GET /storage/v1/b/B/o/NAME}), listings
 * ({@code GET /storage/v1/b/B/o?prefix=P}), media downloads ({@code alt=media}) and resumable
 * uploads ({@code POST /upload/storage/v1/b/B/o?uploadType=resumable}, then {@code PUT} to the
 * session URL it returns).
 */
final class FakeGcs {
  static final String UPDATED = "2026-01-02T03:04:05.678Z";

  private final WireMockExtension wire;

  FakeGcs(WireMockExtension wire) {
    this.wire = wire;
  }

  /** A WireMock server on a free local port for a {@code FakeGcs} to teach. */
  static WireMockExtension server() {
    return WireMockExtension.newInstance()
        // Cloud Storage compresses only objects stored with Content-Encoding: gzip.
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").gzipDisabled(true))
        .build();
  }

  URI host() {
    return URI.create("http://127.0.0.1:" + wire.getPort());
  }

  /** An object in the store: metadata and media downloads of it, and of its generation. */
  void object(String bucket, String name, byte[] content) {
    wire.stubFor(get(objectPath(bucket, name)).willReturn(json(resource(bucket, name, content))));
    wire.stubFor(
        get(mediaPath(bucket, name))
            .withQueryParam("alt", equalTo("media"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/octet-stream")
                    .withHeader("x-goog-generation", "7")
                    .withBody(content)));
  }

  /** A listing of {@code prefix} in {@code bucket} that holds the named objects. */
  void listing(String bucket, String prefix, List<String> names, List<byte[]> contents) {
    String items =
        java.util.stream.IntStream.range(0, names.size())
            .mapToObj(i -> resource(bucket, names.get(i), contents.get(i)))
            .collect(Collectors.joining(","));
    wire.stubFor(
        get(urlPathMatching("/storage/v1/b/" + bucket + "/o/?"))
            .withQueryParam("prefix", equalTo(prefix))
            .willReturn(json("{\"kind\":\"storage#objects\",\"items\":[" + items + "]}")));
  }

  /**
   * Accepts a resumable upload of {@code name} to {@code bucket} in one request: the session is
   * started with the object's metadata, and the {@code PUT} of the bytes is answered with the
   * object as stored, of {@code content}'s size (the client checks it).
   */
  void acceptsUpload(String bucket, String name, byte[] content) {
    String id = Integer.toHexString(name.hashCode());
    String session =
        host() + "/upload/storage/v1/b/" + bucket + "/o?uploadType=resumable&upload_id=" + id;
    wire.stubFor(
        post(urlPathMatching("/upload/storage/v1/b/" + bucket + "/o/?"))
            .withQueryParam("uploadType", equalTo("resumable"))
            .withRequestBody(containing("\"name\":\"" + name + "\""))
            .willReturn(aResponse().withStatus(200).withHeader("Location", session)));
    wire.stubFor(
        put(urlPathMatching("/upload/storage/v1/b/" + bucket + "/o/?"))
            .withQueryParam("upload_id", equalTo(id))
            .willReturn(json(resource(bucket, name, content))));
  }

  /** A JSON API error, as Cloud Storage writes them. */
  static String error(int code, String reason, String message) {
    return "{\"error\":{\"code\":"
        + code
        + ",\"message\":\""
        + message
        + "\",\"errors\":[{\"message\":\""
        + message
        + "\",\"domain\":\"global\",\"reason\":\""
        + reason
        + "\"}]}}";
  }

  static UrlPattern objectPath(String bucket, String name) {
    return urlPathMatching("/storage/v1/b/" + bucket + "/o/" + encodedName(name));
  }

  static UrlPattern mediaPath(String bucket, String name) {
    return urlPathMatching("(/download)?/storage/v1/b/" + bucket + "/o/" + encodedName(name));
  }

  // The client escapes '/' in object names as %2F.
  private static String encodedName(String name) {
    return java.util.Arrays.stream(name.split("/", -1))
        .map(Pattern::quote)
        .collect(Collectors.joining("(/|%2F)"));
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
    return aResponse().withHeader("Content-Type", "application/json; charset=UTF-8").withBody(body);
  }

  static String resource(String bucket, String name, byte[] content) {
    return "{\"kind\":\"storage#object\",\"id\":\""
        + bucket
        + "/"
        + name
        + "/7\",\"name\":\""
        + name
        + "\",\"bucket\":\""
        + bucket
        + "\",\"generation\":\"7\",\"metageneration\":\"1\","
        + "\"contentType\":\"application/octet-stream\",\"size\":\""
        + content.length
        + "\",\"md5Hash\":\""
        + md5(content)
        + "\",\"crc32c\":\""
        + crc32c(content)
        + "\",\"updated\":\""
        + UPDATED
        + "\",\"timeCreated\":\""
        + UPDATED
        + "\"}";
  }

  static String md5(byte[] content) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String crc32c(byte[] content) {
    CRC32C crc = new CRC32C();
    crc.update(content);
    return Base64.getEncoder()
        .encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
