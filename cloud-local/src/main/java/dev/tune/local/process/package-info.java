/** Starting tune's entrypoints as detached child JVMs and recognising them again later. */
package dev.tune.local.process;
