/**
 * Will a QLoRA run fit, where does each layer go, and on which machine: a memory model of tune's
 * trainer computed from {@code config.json} alone ({@link dev.tune.trainer.plan.QloraMemoryModel}),
 * a placement of modules over devices like accelerate's {@code device_map="auto"} ({@link
 * dev.tune.trainer.plan.PlacementPlanner}), a dated table of SageMaker and Vertex AI GPU machines
 * with approximate prices ({@link dev.tune.trainer.plan.InstanceCatalog}), and the planner that
 * ties them together and refuses a run that cannot fit ({@link
 * dev.tune.trainer.plan.RunPlanner#check}). {@link dev.tune.trainer.plan.PeakMemoryProbe} measures
 * what a CPU run really allocates, to hold the model to account.
 */
package dev.tune.trainer.plan;
