package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.S3Uri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BucketLayoutTest {
  private record Listed(String name, String path, long size) implements BucketLayout.Listed {
    Listed(String name, String path) {
      this(name, path, 0);
    }
  }

  @TempDir Path temp;
  private final Map<String, Path> fetched = new ConcurrentHashMap<>();

  private Path fetch(String uri, String name, List<Listed> objects, FetchOptions options) {
    return BucketLayout.fetch(
        ArtifactUri.parse(uri),
        name,
        objects,
        temp.resolve("cache/models"),
        options,
        (object, target) -> {
          Files.createDirectories(target.getParent());
          Files.writeString(target, object.name());
          fetched.put(object.name(), target);
        });
  }

  @Test
  void anObjectNamedByTheLocationIsOneFileMirroringItsNameInTheCache() {
    Path file =
        fetch(
            "s3://models/tiny/config.json",
            "tiny/config.json",
            List.of(new Listed("tiny/config.json", "config.json")),
            FetchOptions.defaults());

    assertThat(file).isEqualTo(temp.resolve("cache/models/tiny/config.json"));
    assertThat(file).hasContent("tiny/config.json");
  }

  @Test
  void aPrefixIsADirectoryOfTheSelectedObjects() {
    List<Listed> objects =
        List.of(
            new Listed("tiny/config.json", "config.json"),
            new Listed("tiny/model.safetensors", "model.safetensors"),
            new Listed("tiny/pytorch_model.bin", "pytorch_model.bin"),
            new Listed("tiny/tok/tokenizer.json", "tok/tokenizer.json"));

    Path dir = fetch("s3://models/tiny", "tiny", objects, FetchOptions.defaults());

    assertThat(dir).isEqualTo(temp.resolve("cache/models/tiny"));
    assertThat(fetched)
        .containsOnlyKeys("tiny/config.json", "tiny/model.safetensors", "tiny/tok/tokenizer.json")
        .containsEntry("tiny/tok/tokenizer.json", dir.resolve("tok/tokenizer.json"));
  }

  @Test
  void aDestinationTakesTheFilesDirectly() {
    Path out = temp.resolve("out");
    Path dir =
        fetch(
            "s3://models/tiny/",
            "tiny/",
            List.of(new Listed("tiny/config.json", "config.json")),
            FetchOptions.builder().destination(out).build());

    assertThat(dir).isEqualTo(out);
    assertThat(out.resolve("config.json")).hasContent("tiny/config.json");
  }

  @Test
  void anObjectThatWouldLeaveTheDirectoryIsRefusedBeforeAnythingMoves() {
    List<Listed> objects =
        List.of(
            new Listed("tiny/config.json", "config.json"),
            new Listed("tiny/../../escape", "../../escape"));

    assertThatThrownBy(() -> fetch("s3://models/tiny/", "tiny/", objects, FetchOptions.defaults()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("../../escape");
    assertThat(fetched).isEmpty();
  }

  @Test
  void patternsThatSelectNothingAreNotFound() {
    assertThatThrownBy(
            () ->
                fetch(
                    "s3://models/tiny/",
                    "tiny/",
                    List.of(new Listed("tiny/config.json", "config.json")),
                    FetchOptions.builder().allow("*.gguf").build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("s3://models/tiny/");
  }

  @Test
  void uploadsADirectorysFilesBelowTheDestinationAndAFileUnderItsName() throws Exception {
    Path dir = temp.resolve("merged");
    Files.createDirectories(dir.resolve("tok"));
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.writeString(dir.resolve("tok/tokenizer.json"), "{}");
    Map<String, Path> uploaded = new ConcurrentHashMap<>();
    S3Uri out = new S3Uri("models", "runs/7");

    S3Uri whole =
        BucketLayout.upload(
            dir, out, out.key(), out::resolve, (file, to) -> uploaded.put(to.toString(), file));
    S3Uri prefix = new S3Uri("models", "runs/8/");
    S3Uri single =
        BucketLayout.upload(
            dir.resolve("config.json"),
            prefix,
            prefix.key(),
            prefix::resolve,
            (file, to) -> uploaded.put(to.toString(), file));

    assertThat(whole).isEqualTo(out);
    assertThat(single).hasToString("s3://models/runs/8/config.json");
    assertThat(uploaded)
        .containsOnlyKeys(
            "s3://models/runs/7/config.json",
            "s3://models/runs/7/tok/tokenizer.json",
            "s3://models/runs/8/config.json")
        .containsEntry("s3://models/runs/7/tok/tokenizer.json", dir.resolve("tok/tokenizer.json"));
    assertThatThrownBy(
            () ->
                BucketLayout.upload(
                    temp.resolve("missing"), out, out.key(), out::resolve, (file, to) -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void aNameIsAPrefixWhenEmptyOrEndingInASlashAndOtherwiseMayBeAnObject() {
    assertThat(BucketLayout.isPrefixOnly("")).isTrue();
    assertThat(BucketLayout.isPrefixOnly("runs/")).isTrue();
    assertThat(BucketLayout.isPrefixOnly("runs/7")).isFalse();
    assertThat(BucketLayout.prefixOf("runs/7")).isEqualTo("runs/7/");
    assertThat(BucketLayout.prefixOf("runs/")).isEqualTo("runs/");
    assertThat(BucketLayout.prefixOf("")).isEmpty();
    assertThat(BucketLayout.fileName("runs/7/config.json")).isEqualTo("config.json");
    assertThat(BucketLayout.fileName("config.json")).isEqualTo("config.json");
  }

  @Test
  void nothingAtSaysWhatWasLookedForAndHowToList() {
    NotFoundException named =
        BucketLayout.nothingAt(new S3Uri("models", "tiny"), "tiny", "aws s3 ls");
    NotFoundException prefix =
        BucketLayout.nothingAt(new S3Uri("models", "tiny/"), "tiny/", "aws s3 ls");

    assertThat(named)
        .hasMessageContaining(
            "Nothing at s3://models/tiny: no object of that name and no objects below tiny/.");
    assertThat(named.fix()).contains("'aws s3 ls s3://models/tiny'");
    assertThat(prefix).hasMessageContaining("Nothing at s3://models/tiny/: no objects below it.");
  }

  @Test
  void storedFilesAreTheListedPathsAndSizesSortedByPath() {
    List<StoredFile> files =
        BucketLayout.storedFiles(
            List.of(new Listed("p/b.json", "b.json", 2), new Listed("p/a/c.bin", "a/c.bin", 7)));

    assertThat(files).containsExactly(StoredFile.of("a/c.bin", 7), StoredFile.of("b.json", 2));
  }
}
