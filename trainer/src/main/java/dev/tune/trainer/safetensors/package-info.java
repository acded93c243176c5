/**
 * Reading and writing the safetensors format and Hugging Face checkpoint directories (single file
 * or sharded with an index), validated like the reference implementation and streamed tensor by
 * tensor so models larger than memory work.
 */
package dev.tune.trainer.safetensors;
