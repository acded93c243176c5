/** The local provider's files: atomic JSON state files, directories, log tails. */
package dev.tune.local.store;
