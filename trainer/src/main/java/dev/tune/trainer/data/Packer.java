package dev.tune.trainer.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Packs examples into rows of exactly {@code rowLength} tokens. Examples are taken a window at a
 * time and placed best-fit-decreasing (longest first, into the open row with the least room that
 * fits), so memory stays bounded by the window. In a row, each sample keeps its own positions (from
 * 0) and sequence id; the first label of every sample is -100 so that no sample is trained to
 * predict the start of the next; the rest of the row is padding (pad id, label -100, its own
 * sequence id).
 */
final class Packer implements Iterator<TokenizedExample> {

  static final int DEFAULT_WINDOW = 1000;

  private final Iterator<TokenizedExample> source;
  private final int rowLength;
  private final long padId;
  private final int window;
  private final Deque<TokenizedExample> ready = new ArrayDeque<>();
  private final Runnable onRow;

  Packer(Iterator<TokenizedExample> source, int rowLength, long padId, int window, Runnable onRow) {
    this.source = source;
    this.rowLength = rowLength;
    this.padId = padId;
    this.window = window;
    this.onRow = onRow;
  }

  @Override
  public boolean hasNext() {
    if (ready.isEmpty()) {
      fill();
    }
    return !ready.isEmpty();
  }

  @Override
  public TokenizedExample next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.removeFirst();
  }

  private void fill() {
    List<TokenizedExample> batch = new ArrayList<>();
    while (batch.size() < window && source.hasNext()) {
      TokenizedExample e = source.next();
      if (e.length() > rowLength) {
        throw new IllegalArgumentException(
            "an example of " + e.length() + " tokens does not fit a row of " + rowLength);
      }
      batch.add(e);
    }
    if (batch.isEmpty()) {
      return;
    }
    batch.sort(Comparator.comparingInt(TokenizedExample::length).reversed());
    List<List<TokenizedExample>> rows = new ArrayList<>();
    List<Integer> room = new ArrayList<>();
    // Rows by the room they have left; the best fit is the smallest room >= the length.
    TreeMap<Integer, Deque<Integer>> byRoom = new TreeMap<>();
    for (TokenizedExample e : batch) {
      var fit = byRoom.ceilingEntry(e.length());
      int row;
      if (fit == null) {
        row = rows.size();
        rows.add(new ArrayList<>());
        room.add(rowLength);
      } else {
        row = fit.getValue().removeFirst();
        if (fit.getValue().isEmpty()) {
          byRoom.remove(fit.getKey());
        }
      }
      rows.get(row).add(e);
      int left = room.get(row) - e.length();
      room.set(row, left);
      if (left > 0) {
        byRoom.computeIfAbsent(left, k -> new ArrayDeque<>()).addLast(row);
      }
    }
    for (List<TokenizedExample> row : rows) {
      ready.addLast(pack(row));
      onRow.run();
    }
  }

  private TokenizedExample pack(List<TokenizedExample> samples) {
    long[] ids = new long[rowLength];
    long[] labels = new long[rowLength];
    int[] positions = new int[rowLength];
    int[] sequences = new int[rowLength];
    int at = 0;
    int sequence = 0;
    for (TokenizedExample s : samples) {
      int n = s.length();
      System.arraycopy(s.inputIds(), 0, ids, at, n);
      System.arraycopy(s.labels(), 0, labels, at, n);
      labels[at] = TokenizedExample.IGNORE_INDEX;
      for (int t = 0; t < n; t++) {
        positions[at + t] = t;
      }
      Arrays.fill(sequences, at, at + n, sequence);
      at += n;
      sequence++;
    }
    Arrays.fill(ids, at, rowLength, padId);
    Arrays.fill(labels, at, rowLength, TokenizedExample.IGNORE_INDEX);
    for (int t = at; t < rowLength; t++) {
      positions[t] = t - at;
    }
    Arrays.fill(sequences, at, rowLength, sequence);
    return new TokenizedExample(ids, labels, positions, sequences);
  }
}
