package dev.tune.trainer.model;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which device each module of a {@link CausalLm} lives and runs on: the executable form of a
 * planner's {@code device_map}.
 *
 * <p>Modules are placed on <em>slots</em>, not directly on devices: slot {@code s} runs on {@code
 * devices.get(s)}, and two slots may name the same device. The model gives every slot its own
 * manager and copies activations whenever execution passes from one slot to another, so a plan over
 * two slots of one CPU runs exactly the code (copies included) that a plan over two GPUs runs; only
 * the copy's destination differs.
 *
 * @param devices each slot's device, in execution order
 * @param embeddings the input embeddings' slot
 * @param layers decoder layer {@code i}'s slot
 * @param finalNorm the final norm's slot
 * @param head {@code lm_head}'s slot; it must be the embeddings' slot when the head is tied to them
 */
public record ModelPlacement(
    List<Device> devices, int embeddings, List<Integer> layers, int finalNorm, int head) {

  public ModelPlacement {
    devices = List.copyOf(devices);
    layers = List.copyOf(layers);
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("a placement needs at least one device");
    }
    requireSlot(devices, embeddings, "the embeddings");
    for (int i = 0; i < layers.size(); i++) {
      requireSlot(devices, layers.get(i), "decoder layer " + i);
    }
    requireSlot(devices, finalNorm, "the final norm");
    requireSlot(devices, head, "lm_head");
  }

  /** Every module of a model of {@code numLayers} decoder layers on {@code device}. */
  public static ModelPlacement allOn(Device device, int numLayers) {
    Objects.requireNonNull(device, "device");
    return new ModelPlacement(List.of(device), 0, Collections.nCopies(numLayers, 0), 0, 0);
  }

  /**
   * The placement a planner's {@code device_map} describes (module name to device name, e.g. {@code
   * model.layers.3 -> cuda:1}; a key may name several modules joined by {@code +}, as {@code
   * model.norm+lm_head}). Each distinct device becomes a slot, in order of first appearance. Device
   * names are {@code cuda:N}, {@code gpuN} or {@code cpu}.
   *
   * @throws IllegalArgumentException if a module of the model is missing from the map or a key
   *     names no module of it
   */
  public static ModelPlacement fromDeviceMap(Map<String, String> deviceMap, ModelConfig config) {
    ModuleNames names = ModuleNames.of(config);
    List<String> deviceNames = new ArrayList<>();
    Map<String, Integer> slotOfModule = new LinkedHashMap<>();
    deviceMap.forEach(
        (key, deviceName) -> {
          if (!deviceNames.contains(deviceName)) {
            deviceNames.add(deviceName);
          }
          int slot = deviceNames.indexOf(deviceName);
          for (String module : key.split("\\+", -1)) {
            slotOfModule.put(module.strip(), slot);
          }
        });
    List<Integer> layers = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(required(slotOfModule, names.layerPrefix() + i));
    }
    int embeddings = required(slotOfModule, names.embeddings());
    int finalNorm = required(slotOfModule, names.finalNorm());
    int head =
        config.tieWordEmbeddings()
            ? slotOfModule.getOrDefault(CausalLm.LM_HEAD, embeddings)
            : required(slotOfModule, CausalLm.LM_HEAD);
    List<String> known = new ArrayList<>(List.of(names.embeddings(), names.finalNorm()));
    known.add(CausalLm.LM_HEAD);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      known.add(names.layerPrefix() + i);
    }
    for (String module : slotOfModule.keySet()) {
      if (!known.contains(module)) {
        throw new IllegalArgumentException(
            "the device map places "
                + module
                + ", which this model does not have; plan from this model's config.json");
      }
    }
    List<Device> devices = deviceNames.stream().map(ModelPlacement::device).toList();
    return new ModelPlacement(devices, embeddings, layers, finalNorm, head);
  }

  private static int required(Map<String, Integer> slotOfModule, String module) {
    Integer slot = slotOfModule.get(module);
    if (slot == null) {
      throw new IllegalArgumentException(
          "the device map does not place "
              + module
              + "; plan over this model's config.json so every module gets a device");
    }
    return slot;
  }

  /** {@code cuda:N} as PyTorch names it, else DJL's names ({@code gpu0}, {@code cpu}). */
  private static Device device(String name) {
    if (name.startsWith("cuda:")) {
      return Device.gpu(Integer.parseInt(name.substring("cuda:".length())));
    }
    return Device.fromName(name);
  }

  /**
   * The slot that produces the input of decoder layer {@code i}: the embeddings' for layer 0, the
   * previous layer's otherwise.
   */
  public int slotBeforeLayer(int i) {
    return i == 0 ? embeddings : layers.get(i - 1);
  }

  /** The slot of the last decoder layer (the embeddings' when there is none). */
  public int lastLayerSlot() {
    return layers.isEmpty() ? embeddings : layers.get(layers.size() - 1);
  }

  private static void requireSlot(List<Device> devices, int slot, String what) {
    if (slot < 0 || slot >= devices.size()) {
      throw new IllegalArgumentException(
          what
              + " is placed on slot "
              + slot
              + " but the placement has "
              + devices.size()
              + " device(s); name a slot from 0 to "
              + (devices.size() - 1));
    }
  }
}
