package dev.tune.container.serve;

/**
 * Hears each token of a sequence as it is generated, on the decoding thread: it must return quickly
 * and never block (hand the token to another thread to write it to a client).
 */
@FunctionalInterface
public interface TokenListener {

  TokenListener NONE = token -> {};

  void onToken(int token);
}
