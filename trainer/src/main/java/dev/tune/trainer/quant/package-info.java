/**
 * Quantization with bitsandbytes' semantics on DJL NDArrays: the 8-bit dynamic map and blockwise
 * 8-bit quantization (optimizer states, double-quantized constants) and NF4 with double
 * quantization (frozen QLoRA base weights). Codes, rounding and packing match bitsandbytes' CUDA
 * kernels bit for bit; all work runs as a few whole-tensor operations on the input's device.
 */
package dev.tune.trainer.quant;
