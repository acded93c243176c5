package dev.tune.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.trainer.data.DataReport;
import dev.tune.trainer.train.TrainResult;
import dev.tune.trainer.train.TrainingListener;
import dev.tune.trainer.train.TrainingLog;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class TrainingReportTest {

  @TempDir static Path runDir;
  @TempDir Path dir;

  private static TrainResult result;

  @BeforeAll
  static void train() {
    result = TinyRun.train(runDir, 6, 2, TrainingListener.none()).result();
  }

  private static final DataReport TRAIN_DATA =
      new DataReport(14, 12, 1, 2, 0, 1, 1234, 1100, 0, 700, List.of("train.jsonl:3: bad row"));
  private static final DataReport EVAL_DATA =
      new DataReport(4, 4, 0, 0, 0, 0, 321, 300, 0, 90, List.of());

  private Document write(TrainingReport report) throws Exception {
    Path file = dir.resolve("output/report.html");
    report.write(file);
    byte[] html = Files.readAllBytes(file);
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(false);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(html));
  }

  private TrainingReport.Builder fullReport() {
    ObjectNode config = JsonMapper.builder().build().createObjectNode();
    config.putObject("model").put("base", "hf://org/tiny@main").put("token", "hf_secret_value");
    config.putObject("training").put("learning_rate", 2e-3).put("max_steps", 6);
    config.putObject("lora").putArray("target_modules").add("q_proj").add("v_proj");
    return TrainingReport.builder()
        .title("tiny <run> & co")
        .config(config)
        .trainData(TRAIN_DATA)
        .evalData(EVAL_DATA)
        .result(result)
        .memory(new PeakMemory(OptionalLong.of(3L << 30), OptionalLong.of(512L << 20)))
        .samples(
            List.of(
                new Sample("What is 2+2?", "2+2 is <b>", "4 & done"),
                new Sample("Say \"hi\"", "hi\nthere", "hi")))
        .generatedAt(Instant.parse("2026-11-26T16:00:00Z"));
  }

  @Test
  void plotsHoldExactlyTheHistorysPoints() throws Exception {
    Document page = write(fullReport().build());

    assertThat(points(page, "loss")).isEqualTo(history(TrainingLog.Kind.TRAIN, "loss"));
    assertThat(points(page, "eval_loss")).isEqualTo(history(TrainingLog.Kind.EVAL, "eval_loss"));
    assertThat(points(page, "learning_rate"))
        .isEqualTo(history(TrainingLog.Kind.TRAIN, "learning_rate"));
    assertThat(points(page, "tokens_per_second"))
        .isEqualTo(history(TrainingLog.Kind.TRAIN, "tokens_per_second"));
    assertThat(points(page, "loss")).hasSize(3);
    assertThat(points(page, "eval_loss")).hasSize(3);
  }

  @Test
  void pointsArePlacedByStepAndValueAndJoinedByTheLine() throws Exception {
    Document page = write(fullReport().build());

    for (String series : List.of("loss", "eval_loss", "learning_rate")) {
      List<Element> circles = circles(page, series);
      String polyline =
          ((Element)
                  XPathFactory.newInstance()
                      .newXPath()
                      .evaluate(
                          "//g[@data-series='" + series + "']/polyline", page, XPathConstants.NODE))
              .getAttribute("points");
      List<String> joined = new ArrayList<>();
      for (Element c : circles) {
        joined.add(c.getAttribute("cx") + "," + c.getAttribute("cy"));
      }
      assertThat(polyline).isEqualTo(String.join(" ", joined));
      for (int i = 1; i < circles.size(); i++) {
        Element a = circles.get(i - 1);
        Element b = circles.get(i);
        assertThat(num(b, "cx")).isGreaterThan(num(a, "cx"));
        // SVG's y grows downwards: a higher value sits higher up
        assertThat(Double.compare(num(b, "cy"), num(a, "cy")))
            .as(series + " point " + i)
            .isEqualTo(-Double.compare(num(b, "data-value"), num(a, "data-value")));
      }
      for (Element c : circles) {
        assertThat(num(c, "cx")).isBetween(0.0, (double) LineChart.WIDTH);
        assertThat(num(c, "cy")).isBetween(0.0, (double) LineChart.HEIGHT);
      }
    }
  }

  @Test
  void showsFinalMetricsThroughputMemoryDataSamplesAndConfig() throws Exception {
    Document page = write(fullReport().build());

    assertThat(cell(page, "final-metrics", "train_loss"))
        .isEqualTo(LineChart.label(result.trainLoss()));
    assertThat(cell(page, "final-metrics", "eval_loss"))
        .isEqualTo(LineChart.label(result.evalLoss().orElseThrow()));
    assertThat(cell(page, "final-metrics", "best_step"))
        .isEqualTo(String.valueOf(result.bestEvaluation().orElseThrow().step()));
    assertThat(cell(page, "final-metrics", "global_step")).isEqualTo("6 of 6");
    assertThat(cell(page, "throughput-table", "train_runtime"))
        .isEqualTo(LineChart.label(result.metrics().get("train_runtime")));
    assertThat(cell(page, "memory-table", "peak host memory (resident)")).isEqualTo("3072.0 MiB");
    assertThat(cell(page, "memory-table", "peak device memory")).isEqualTo("512.0 MiB");
    assertThat(text(page, "//table[@id='data-table']/tr[th='examples kept']/td"))
        .containsExactly("12", "4");
    assertThat(text(page, "//table[@id='data-table']/tr[th='bad rows skipped']/td"))
        .containsExactly("1", "0");
    assertThat(text(page, "//section[@id='data']//li")).containsExactly("train.jsonl:3: bad row");
    assertThat(text(page, "//tr[@class='sample']/td[contains(@class,'prompt')]"))
        .containsExactly("What is 2+2?", "Say \"hi\"");
    assertThat(text(page, "//tr[@class='sample']/td[contains(@class,'before')]"))
        .containsExactly("2+2 is <b>", "hi\nthere");
    assertThat(text(page, "//tr[@class='sample']/td[contains(@class,'after')]"))
        .containsExactly("4 & done", "hi");
    assertThat(cell(page, "config-table", "training.learning_rate")).isEqualTo("0.002");
    assertThat(cell(page, "config-table", "lora.target_modules"))
        .isEqualTo("[\"q_proj\",\"v_proj\"]");
    assertThat(text(page, "//h1")).containsExactly("Training report: tiny <run> & co");
  }

  @Test
  void isSelfContainedAndNeverShowsTheToken() throws Exception {
    Path file = dir.resolve("report.html");
    fullReport().build().write(file);
    String html = Files.readString(file, StandardCharsets.UTF_8);
    Document page = write(fullReport().build());

    assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("hf_secret_value");
    assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img");
    assertThat(text(page, "//*/@src | //*/@href")).isEmpty();
    assertThat(text(page, "//table[@id='config-table']//th")).doesNotContain("model.token");
  }

  @Test
  void aReportOfAHistoryAloneStillRenders() throws Exception {
    TrainResult bare = TinyRun.train(dir.resolve("bare"), 2, 1, TrainingListener.none()).result();
    Document page =
        write(TrainingReport.builder().title("bare").history(bare.logHistory()).build());

    assertThat(points(page, "loss")).hasSize(2);
    assertThat(points(page, "eval_loss")).hasSize(2);
    assertThat(text(page, "//p[@class='empty']"))
        .contains(
            "Not measured.",
            "No data statistics were given.",
            "No sample prompts were generated.",
            "No configuration was given.");
  }

  @Test
  void readsThePeakResidentSetFromProcStatus() {
    assertThat(
            PeakMemory.highWaterMark(List.of("Name:\tjava", "VmHWM:\t  204800 kB", "VmRSS: 1 kB")))
        .hasValue(204800L * 1024);
    assertThat(PeakMemory.highWaterMark(List.of("Name:\tjava"))).isEmpty();
    if (Files.isReadable(Path.of("/proc/self/status"))) {
      assertThat(PeakMemory.ofThisProcess().hostBytes().orElseThrow())
          .isGreaterThan(Runtime.getRuntime().totalMemory() / 4);
    }
  }

  private static List<Map.Entry<Integer, Double>> history(TrainingLog.Kind kind, String metric) {
    return result.logHistory().stream()
        .filter(l -> l.kind() == kind)
        .map(l -> Map.entry(l.step(), l.get(metric)))
        .toList();
  }

  private static List<Map.Entry<Integer, Double>> points(Document page, String series)
      throws Exception {
    return circles(page, series).stream()
        .map(
            c ->
                Map.entry(
                    Integer.parseInt(c.getAttribute("data-step")),
                    Double.parseDouble(c.getAttribute("data-value"))))
        .toList();
  }

  private static List<Element> circles(Document page, String series) throws Exception {
    NodeList nodes =
        (NodeList)
            XPathFactory.newInstance()
                .newXPath()
                .evaluate(
                    "//g[@data-series='" + series + "']/circle", page, XPathConstants.NODESET);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }

  private static String cell(Document page, String table, String key) throws Exception {
    List<String> found = text(page, "//table[@id='" + table + "']//td[@data-key='" + key + "']");
    assertThat(found).as(table + " " + key).hasSize(1);
    return found.get(0);
  }

  private static List<String> text(Document page, String xpath) throws Exception {
    NodeList nodes =
        (NodeList)
            XPathFactory.newInstance().newXPath().evaluate(xpath, page, XPathConstants.NODESET);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }

  private static double num(Element e, String attribute) {
    return Double.parseDouble(e.getAttribute(attribute));
  }
}
