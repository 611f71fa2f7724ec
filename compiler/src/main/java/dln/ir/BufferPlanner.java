package dln.ir;

import dln.runtime.Slot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shares memory between work buffers whose lifetimes do not overlap (a gradient that is consumed
 * before a later one is produced, scratch space), as a register allocator shares registers. Takes
 * the slots and the launch sequence of one run (a training step, or inference for a model without a
 * train block); guarantees that two buffers sharing memory are never both live within one launch
 * or across launches between their uses. Parameters, inputs, targets, metrics and optimizer state
 * are never shared, nor are the model's outputs, which the host reads after the run. A work buffer
 * that no launch uses gets no memory.
 */
final class BufferPlanner {
    record Result(List<Slot> physical, Map<String, String> storage) {}

    private record Interval(Slot slot, int first, int last) {}

    private static final class Shared {
        final String name;
        final boolean batched;
        long per;
        int freeAfter;
        final List<String> members = new ArrayList<>();

        Shared(String name, boolean batched) {
            this.name = name;
            this.batched = batched;
        }
    }

    static Result plan(List<Slot> slots, List<List<Launch>> runs, java.util.Set<String> pinned) {
        Map<String, int[]> uses = new LinkedHashMap<>();
        int index = 0;
        for (List<Launch> run : runs) {
            for (Launch l : run) {
                for (String b : l.buffers()) {
                    int[] u = uses.computeIfAbsent(b, k -> new int[] {Integer.MAX_VALUE, -1});
                    u[0] = Math.min(u[0], index);
                    u[1] = Math.max(u[1], index);
                }
                index++;
            }
        }
        List<Interval> work = new ArrayList<>();
        List<Slot> physical = new ArrayList<>();
        Map<String, String> storage = new HashMap<>();
        for (Slot s : slots) {
            int[] u = uses.get(s.name());
            boolean free = s.role() == Slot.Role.WORK && !s.name().startsWith(":") && !pinned.contains(s.name());
            if (free && u == null) continue;   // no launch uses it (a gradient a fold made unnecessary): no memory at all
            if (s.role() == Slot.Role.WORK && u != null && !s.name().startsWith(":") && !pinned.contains(s.name())) work.add(new Interval(s, u[0], u[1]));
            else {
                physical.add(s);
                storage.put(s.name(), s.name());
            }
        }
        work.sort((a, b) -> a.first != b.first ? Integer.compare(a.first, b.first) : a.slot.name().compareTo(b.slot.name()));
        List<Shared> pool = new ArrayList<>();
        for (Interval iv : work) {
            Shared best = null;
            for (Shared sh : pool) {
                if (sh.batched != iv.slot.batched() || sh.freeAfter >= iv.first) continue;
                if (best == null || fit(sh, iv.slot.per()) < fit(best, iv.slot.per())) best = sh;
            }
            if (best == null) {
                best = new Shared("work." + pool.size(), iv.slot.batched());
                pool.add(best);
            }
            best.per = Math.max(best.per, iv.slot.per());
            best.freeAfter = iv.last;
            best.members.add(iv.slot.name());
        }
        for (Shared sh : pool) {
            String name = sh.members.size() == 1 ? sh.members.get(0) : sh.name;
            physical.add(Slot.work(name, Slot.Role.WORK, sh.per, sh.batched));
            for (String m : sh.members) storage.put(m, name);
        }
        return new Result(physical, storage);
    }

    /** How badly a shared buffer fits a request: any that is big enough beats growing one; among those, the smallest. */
    private static long fit(Shared sh, long per) {
        return sh.per >= per ? sh.per - per : Long.MAX_VALUE / 2 + (per - sh.per);
    }
}
