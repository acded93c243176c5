/**
 * The local model registry: named models with versions v1, v2, ..., each an own copy of the model
 * files with its lineage and metrics, kept consistent across processes by a lock file and atomic
 * renames.
 */
package dev.tune.local.registry;
