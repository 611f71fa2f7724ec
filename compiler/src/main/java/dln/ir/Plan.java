package dln.ir;

import dln.runtime.Slot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the passes build up for one model: its buffers, in the order they were declared, and the
 * OpenCL names of its kernels. Kernel names are C identifiers made from the layer's name, unique in
 * the model whatever the layer names are (`conv2d_1_fwd`, `residual_1_conv2d_1_dweight`).
 */
public final class Plan {
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, String> stems = new LinkedHashMap<>();
    private final Set<String> usedStems = new HashSet<>();
    private final Map<String, String> owners = new LinkedHashMap<>();

    /** Declares a buffer; declaring the same name again returns the first declaration. */
    public String declare(Slot slot) {
        Slot old = slots.putIfAbsent(slot.name(), slot);
        if (old != null && (old.per() != slot.per() || old.batched() != slot.batched())) {
            throw new IllegalStateException("buffer " + slot.name() + " declared twice with different sizes");
        }
        return slot.name();
    }

    /** A batched work buffer of {@code perExample} floats per example. */
    public String work(String name, long perExample) {
        return declare(Slot.work(name, Slot.Role.WORK, perExample, true));
    }

    /** A work buffer of a fixed size (a parameter's gradient, saved statistics). */
    public String fixed(String name, long size) {
        return declare(Slot.work(name, Slot.Role.WORK, Math.max(1, size), false));
    }

    public List<Slot> slots() { return new ArrayList<>(slots.values()); }

    public Slot slot(String name) { return slots.get(name); }

    /** The OpenCL name of kernel {@code what} of {@code layer}. */
    public String kernel(String layer, String what) {
        String stem = stem(layer);
        owners.put(stem + "_" + what, layer);
        return stem + "_" + what;
    }

    /** The identifier {@link #kernel}'s names for {@code layer} (or a parameter) start with: `dense_1_weight`. */
    public String stem(String layer) { return stems.computeIfAbsent(layer, this::newStem); }

    /** The layer (or `loss`, `optimizer`, a parameter) that {@link #kernel} named {@code kernel} for; null if none. */
    public String owner(String kernel) { return owners.get(kernel); }

    private String newStem(String layer) {
        String base = layer.replaceAll("[^A-Za-z0-9_]", "_");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) base = "k_" + base;
        String stem = base;
        for (int i = 2; !usedStems.add(stem); i++) stem = base + "_" + i;
        return stem;
    }
}
