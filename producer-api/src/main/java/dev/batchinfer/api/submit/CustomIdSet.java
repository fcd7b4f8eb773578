package dev.batchinfer.api.submit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The custom ids seen so far in one upload, to reject a repeated one, in bounded memory: not the
 * ids themselves but a 64-bit hash of each (the first 8 bytes of its SHA-256) and the line it was on,
 * in two primitive arrays with open addressing. That is 12 bytes per slot, at most two slots per id:
 * at most 24 MB for a million ids, whatever their length.
 *
 * <p>Two different ids share a hash with probability about n²/2⁶⁵ (3·10⁻⁸ for a million ids); such an
 * upload would be refused as a duplicate it is not, naming both lines, and is accepted once either id
 * changes. No upload with a real duplicate is ever accepted.
 */
public final class CustomIdSet {

  private static final float MAX_LOAD = 0.5f;

  private final MessageDigest sha;
  private long[] hashes;
  private int[] lines;
  private int size;

  public CustomIdSet() {
    this(1024);
  }

  CustomIdSet(int initialCapacity) {
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    int capacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
    hashes = new long[capacity];
    lines = new int[capacity];
  }

  /**
   * Adds {@code id}, first seen on {@code line} (1-based).
   *
   * @return 0 if the id is new, else the line it was first seen on
   */
  public int add(String id, int line) {
    if (line <= 0) {
      throw new IllegalArgumentException("lines are numbered from 1");
    }
    long h = hash(id);
    int at = find(hashes, h);
    if (hashes[at] == h) {
      return lines[at];
    }
    hashes[at] = h;
    lines[at] = line;
    if (++size > hashes.length * MAX_LOAD) {
      grow();
    }
    return 0;
  }

  public int size() {
    return size;
  }

  /** Bytes held by the table (what a memory bound has to count). */
  public long footprintBytes() {
    return (long) hashes.length * (Long.BYTES + Integer.BYTES);
  }

  private long hash(String id) {
    byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = h << 8 | (d[i] & 0xff);
    }
    return h == 0 ? 1 : h; // 0 marks an empty slot
  }

  /** The slot holding {@code h}, or the empty slot where it belongs (linear probing). */
  private static int find(long[] table, long h) {
    int mask = table.length - 1;
    int at = (int) (h ^ h >>> 32) & mask;
    while (table[at] != 0 && table[at] != h) {
      at = at + 1 & mask;
    }
    return at;
  }

  private void grow() {
    long[] oldHashes = hashes;
    int[] oldLines = lines;
    hashes = new long[oldHashes.length * 2];
    lines = new int[oldHashes.length * 2];
    for (int i = 0; i < oldHashes.length; i++) {
      if (oldHashes[i] != 0) {
        int at = find(hashes, oldHashes[i]);
        hashes[at] = oldHashes[i];
        lines[at] = oldLines[i];
      }
    }
  }
}
