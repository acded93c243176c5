package dev.tune.trainer.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * An inline SVG line chart of one or more series over optimizer steps. Each point is also a circle
 * carrying its step and value ({@code data-step}, {@code data-value}) and a tooltip, so readers can
 * hover over it and tests can check it against the run's history.
 */
final class LineChart {

  /** One value at one step. */
  record Point(int step, double value) {}

  /** A named line. */
  record Series(String name, String color, List<Point> points) {
    Series {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(color, "color");
      points = points.stream().filter(p -> Double.isFinite(p.value())).toList();
    }
  }

  static final int WIDTH = 640;
  static final int HEIGHT = 280;
  static final int LEFT = 70;
  static final int RIGHT = 20;
  static final int TOP = 44;
  static final int BOTTOM = 40;
  private static final int TICKS = 5;

  private final String title;
  private final List<Series> series;

  LineChart(String title, List<Series> series) {
    this.title = title;
    this.series = List.copyOf(series);
  }

  boolean isEmpty() {
    return series.stream().allMatch(s -> s.points().isEmpty());
  }

  void render(Markup m) {
    List<Point> all = new ArrayList<>();
    series.forEach(s -> all.addAll(s.points()));
    if (all.isEmpty()) {
      m.element("p", title + ": nothing was logged.", "class", "empty");
      return;
    }
    int minStep = all.stream().mapToInt(Point::step).min().orElseThrow();
    int maxStep = all.stream().mapToInt(Point::step).max().orElseThrow();
    double minValue = all.stream().mapToDouble(Point::value).min().orElseThrow();
    double maxValue = all.stream().mapToDouble(Point::value).max().orElseThrow();
    Axis x = Axis.of(minStep, maxStep, LEFT, WIDTH - RIGHT);
    Axis y = Axis.of(minValue, maxValue, HEIGHT - BOTTOM, TOP);
    int[] stepTicks = stepTicks(minStep, maxStep);

    m.open(
        "svg",
        "xmlns",
        "http://www.w3.org/2000/svg",
        "class",
        "chart",
        "role",
        "img",
        "aria-label",
        title,
        "width",
        String.valueOf(WIDTH),
        "height",
        String.valueOf(HEIGHT),
        "viewBox",
        "0 0 " + WIDTH + " " + HEIGHT);
    m.element("title", title);
    m.element(
        "text",
        title,
        "x",
        str(LEFT),
        "y",
        "16",
        "font-size",
        "14",
        "font-weight",
        "bold",
        "fill",
        "#222");
    axes(m, x, y, stepTicks);
    for (Series s : series) {
      if (s.points().isEmpty()) {
        continue;
      }
      m.open("g", "class", "series", "data-series", s.name());
      StringBuilder polyline = new StringBuilder();
      for (Point p : s.points()) {
        polyline.append(polyline.isEmpty() ? "" : " ");
        polyline.append(coordinate(x.pixel(p.step()))).append(',');
        polyline.append(coordinate(y.pixel(p.value())));
      }
      m.empty(
          "polyline",
          "points",
          polyline.toString(),
          "fill",
          "none",
          "stroke",
          s.color(),
          "stroke-width",
          "2");
      for (Point p : s.points()) {
        m.open(
            "circle",
            "cx",
            coordinate(x.pixel(p.step())),
            "cy",
            coordinate(y.pixel(p.value())),
            "r",
            "3",
            "fill",
            s.color(),
            "data-step",
            String.valueOf(p.step()),
            "data-value",
            String.valueOf(p.value()));
        m.element("title", s.name() + " at step " + p.step() + ": " + label(p.value()));
        m.close();
      }
      m.close();
    }
    legend(m);
    m.close();
  }

  private void axes(Markup m, Axis x, Axis y, int[] stepTicks) {
    String bottom = str(HEIGHT - BOTTOM);
    m.open("g", "class", "axes", "stroke", "#888", "font-size", "11");
    m.empty("line", "x1", str(LEFT), "y1", bottom, "x2", str(WIDTH - RIGHT), "y2", bottom);
    m.empty("line", "x1", str(LEFT), "y1", str(TOP), "x2", str(LEFT), "y2", bottom);
    for (int i = 0; i <= TICKS; i++) {
      double value = y.min + (y.max - y.min) * i / TICKS;
      String py = coordinate(y.pixel(value));
      m.empty("line", "x1", str(LEFT - 4), "y1", py, "x2", str(LEFT), "y2", py);
      m.element(
          "text",
          label(value),
          "x",
          str(LEFT - 6),
          "y",
          py,
          "text-anchor",
          "end",
          "stroke",
          "none",
          "fill",
          "#444",
          "dominant-baseline",
          "middle");
    }
    for (int step : stepTicks) {
      String px = coordinate(x.pixel(step));
      m.empty("line", "x1", px, "y1", bottom, "x2", px, "y2", str(HEIGHT - BOTTOM + 4));
      m.element(
          "text",
          String.valueOf(step),
          "x",
          px,
          "y",
          str(HEIGHT - BOTTOM + 16),
          "text-anchor",
          "middle",
          "stroke",
          "none",
          "fill",
          "#444");
    }
    m.element(
        "text",
        "step",
        "x",
        str((LEFT + WIDTH - RIGHT) / 2),
        "y",
        str(HEIGHT - 6),
        "text-anchor",
        "middle",
        "stroke",
        "none",
        "fill",
        "#444");
    m.close();
  }

  private void legend(Markup m) {
    m.open("g", "class", "legend", "font-size", "12");
    int offset = 0;
    for (Series s : series) {
      int lx = LEFT + offset;
      m.empty("rect", "x", str(lx), "y", "26", "width", "12", "height", "4", "fill", s.color());
      m.element("text", s.name(), "x", str(lx + 16), "y", "32", "fill", "#222");
      offset += 30 + 7 * s.name().length();
    }
    m.close();
  }

  /**
   * A linear map from data to pixels, the data's range widened by 4% on each side so that no point
   * sits on the frame; a flat range is widened so the line sits mid-chart.
   */
  private record Axis(double min, double max, double fromPixel, double toPixel) {
    static Axis of(double min, double max, double fromPixel, double toPixel) {
      double pad = max == min ? (min == 0 ? 1 : Math.abs(min) * 0.1) : (max - min) * 0.04;
      return new Axis(min - pad, max + pad, fromPixel, toPixel);
    }

    double pixel(double value) {
      return fromPixel + (value - min) / (max - min) * (toPixel - fromPixel);
    }
  }

  /** Up to {@code TICKS + 1} distinct whole steps spread over the range. */
  private static int[] stepTicks(int minStep, int maxStep) {
    return IntStream.rangeClosed(0, TICKS)
        .map(i -> (int) Math.round(minStep + (maxStep - minStep) * (double) i / TICKS))
        .distinct()
        .toArray();
  }

  static String coordinate(double pixel) {
    return String.format(Locale.ROOT, "%.2f", pixel);
  }

  private static String str(int value) {
    return String.valueOf(value);
  }

  /** Four significant digits, in the plain or scientific form that reads shorter. */
  static String label(double value) {
    if (value == 0) {
      return "0";
    }
    double magnitude = Math.abs(value);
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros();
    if (magnitude >= 1e-4 && magnitude < 1e6) {
      return rounded.toPlainString();
    }
    return rounded.toString().replace("E", "e");
  }
}
