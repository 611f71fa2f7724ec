package dln.runtime.cl;

import static org.jocl.CL.*;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import dln.runtime.kernel.Tunable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Runs kernels on one OpenCL device through JOCL: one context, one in-order queue, programs built
 * once per source and build options (cached by the source's SHA-256 and the options), launches
 * queued without host waits.
 *
 * <p>A {@link Tunable} kernel builds with the block sizes chosen for its shape on this device (the
 * {@link TuningCache}, written by {@link Tuner}), given as build options to the same source; each
 * kernel launches with a work-group size fitted to the device's limits ({@link GroupSizes}).
 */
public final class ClBackend implements Backend {

    private record Mem(cl_mem mem, long size) implements Buffer {}

    /**
     * A kernel ready to launch: built with {@code blocks} (null for a kernel that is not tunable),
     * launched in groups of {@code local}; and the arguments last set on it. OpenCL keeps a kernel's
     * arguments between launches, so a launch sets only those that changed: a training step
     * launches the same kernels on the same buffers every time, and setting an argument costs a JNI
     * call, a copy in the driver and often a malloc (PoCL), which on a 2-core CPU take time from the
     * device's own threads (fashion_mlp: about a hundred arguments a step, of which only the step
     * counters change).
     */
    private static final class Ready {
        final cl_kernel kernel;
        final Choice blocks;
        final long[] local;
        /** For a reducing kernel, its groups' size as built (a power of two up to Program.REDUCE); else 0. */
        final int reduce;
        cl_mem[] args = new cl_mem[0];
        int batch = -1, step = -1;

        Ready(cl_kernel kernel, Choice blocks, long[] local, int reduce) {
            this.kernel = kernel;
            this.blocks = blocks;
            this.local = local;
            this.reduce = reduce;
        }

        cl_kernel kernel() { return kernel; }

        Choice blocks() { return blocks; }

        long[] local() { return local; }
    }

    private final Devices.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final GroupSizes.Limits limits;
    private final TuningCache tuning;
    private final Map<String, cl_program> programs = new HashMap<>();
    /**
     * By the kernel itself (a record: equal sizes, equal kernel), not its name: two models on one
     * device may both have a `dense_1_fwd` of different sizes.
     */
    private final Map<Kernel, Ready> kernels = new HashMap<>();
    /**
     * The same by identity, filled by launches: a record's hash walks all its fields every time,
     * and a training step looks up the same kernel objects again and again. Cleared by compile.
     */
    private final Map<Kernel, Ready> launched = new java.util.IdentityHashMap<>();
    /** Block sizes set for one kernel (a tuner's candidates), over the cache's for its shape. */
    private final Map<Kernel, Choice> chosen = new HashMap<>();

    /** A backend whose kernels take the block sizes tuned for this device in the standard tuning cache. */
    public ClBackend(Devices.Device device) {
        this(device, TuningCache.load(TuningCache.standardFile()));
    }

    public ClBackend(Devices.Device device, TuningCache tuning) {
        this(device, tuning, Long.MAX_VALUE);
    }

    /**
     * A backend on {@code device} that takes it to allow at most {@code maxGroup} work-items in a
     * group, whatever it allows: for testing on a CPU's device what a GPU's smaller limits make of
     * the kernels (the reductions' groups, fitted sizes).
     */
    ClBackend(Devices.Device device, TuningCache tuning, long maxGroup) {
        setExceptionsEnabled(true);
        SignalChaining.warnIfNeeded(device);
        this.device = device;
        this.tuning = tuning;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
        this.queue = clCreateCommandQueue(context, device.id(), 0, null);
        GroupSizes.Limits own = Devices.limits(device.id());
        this.limits = new GroupSizes.Limits(own.perDimension(), Math.min(own.total(), maxGroup), own.multiple(), own.localMemory(), own.kernelLocal());
    }

    @Override public String description() { return "opencl: " + device.describe(); }

    public Devices.Device device() { return device; }

    /** The tuning cache this backend's kernels take their block sizes from. */
    public TuningCache tuning() { return tuning; }

    /**
     * The block sizes {@code k} builds with here: those set by {@link #choose}, else those the cache
     * holds for its shape on this device (when they are one of its candidates: a stale or edited
     * cache cannot pick untested sizes), else its defaults.
     */
    public Choice choice(Tunable k) {
        Choice set = chosen.get(k);
        if (set != null) return set;
        TuningCache.Entry cached = tuning.entries(device.key()).get(k.shape());
        return cached != null && k.candidates().contains(cached.choice()) ? cached.choice() : k.defaults();
    }

    /** Makes {@code k} build with {@code blocks} (one of its candidates) from its next {@link #compile}. */
    public void choose(Tunable k, Choice blocks) {
        if (!k.candidates().contains(blocks)) throw new IllegalArgumentException(blocks + " is not a candidate of " + k.name() + ": " + k.candidates());
        chosen.put(k, blocks);
    }

    @Override public Buffer allocate(long floats) {
        long bytes = Math.max(1, floats) * Sizeof.cl_float;
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
        clEnqueueFillBuffer(queue, mem, Pointer.to(new float[] {0}), Sizeof.cl_float, 0, bytes, 0, null, null);
        idle = false;
        return new Mem(mem, floats);
    }

    /**
     * Queues the copy without waiting: {@code src} goes to a direct staging buffer that stays
     * referenced until the device has read it, so a training step's inputs, targets and rate do not
     * make the host wait for the previous step's kernels (a blocking write would, on an in-order
     * queue). Writes over {@link #STAGED_MOST} bytes (loading weights), and writes to an idle queue
     * (a prediction batch's input), go straight from the array with a wait instead, which there
     * costs nothing and saves the copy.
     */
    @Override public void write(Buffer dst, float[] src, int from, int count) {
        if (count == 0) return;
        long bytes = (long) count * Sizeof.cl_float;
        if (bytes > STAGED_MOST || idle) {
            // straight from the array, waiting: nothing is queued before it (a prediction's input
            // after the last read), or it is too large to stage
            clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, 0, bytes, Pointer.to(src).withByteOffset((long) from * Sizeof.cl_float), 0, null, null);
            return;
        }
        retire(false);
        idle = false;
        ByteBuffer staging = spare.take((int) bytes);
        staging.asFloatBuffer().put(src, from, count);
        cl_event done = new cl_event();
        clEnqueueWriteBuffer(queue, mem(dst), CL_FALSE, 0, bytes, Pointer.to(staging), 0, null, done);
        pending.add(new Staged(done, staging));
    }

    /**
     * The device gets the bytes, a quarter of the floats they stand for, staged like a float write,
     * and converts them itself by the table ({@link #WIDEN}, a transfer's kernel of the backend's own,
     * not a model's): the host thread, which shares a CPU's cores with the device's, does no
     * conversion, and the floats are the very ones the table holds.
     */
    @Override public void write(Buffer dst, byte[] src, int from, int count, float[] table) {
        if (table.length != 256) throw new IllegalArgumentException("a byte table has 256 entries, not " + table.length);
        if (count == 0) return;
        if (count > ((Mem) dst).size()) throw new IllegalArgumentException(count + " values do not fit a buffer of " + ((Mem) dst).size());
        if (widen == null) {
            cl_program program = programs.computeIfAbsent(sha256(WIDEN), h -> build(WIDEN, ""));
            widen = clCreateKernel(program, "dln_widen", null);
        }
        if (table != lastTable) {
            if (tableBuffer == null) tableBuffer = allocate(256);
            write(tableBuffer, table, 0, 256);
            lastTable = table;
        }
        Mem bytes = byteBuffers.get(dst);
        if (bytes == null || bytes.size() < count) {
            if (bytes != null) clReleaseMemObject(bytes.mem());
            bytes = new Mem(clCreateBuffer(context, CL_MEM_READ_ONLY, ((Mem) dst).size(), null, null), ((Mem) dst).size());
            byteBuffers.put(dst, bytes);
        }
        retire(false);
        idle = false;
        ByteBuffer staging = spare.take(count);
        staging.put(0, src, from, count);
        cl_event done = new cl_event();
        clEnqueueWriteBuffer(queue, bytes.mem(), CL_FALSE, 0, count, Pointer.to(staging), 0, null, done);
        pending.add(new Staged(done, staging));
        clSetKernelArg(widen, 0, Sizeof.cl_mem, Pointer.to(bytes.mem()));
        clSetKernelArg(widen, 1, Sizeof.cl_mem, Pointer.to(mem(tableBuffer)));
        clSetKernelArg(widen, 2, Sizeof.cl_mem, Pointer.to(mem(dst)));
        clSetKernelArg(widen, 3, Sizeof.cl_int, Pointer.to(new int[] {count}));
        long items = (count + 15) / 16;
        clEnqueueNDRangeKernel(queue, widen, 1, null, new long[] {items}, null, 0, null, null);
    }

    /** y[i] = table[x[i]] for i below count, sixteen a work-item: the device's half of {@link #write(Buffer, byte[], int, int, float[])}. */
    static final String WIDEN = """
            __kernel void dln_widen(__global const uchar* x, __global const float* table, __global float* y, const int count) {
                const int i0 = get_global_id(0) * 16;
                if (i0 + 16 <= count) {
                    const uchar16 b = vload16(0, x + i0);
                    vstore16((float16)(table[b.s0], table[b.s1], table[b.s2], table[b.s3], table[b.s4], table[b.s5], table[b.s6], table[b.s7],
                            table[b.s8], table[b.s9], table[b.sa], table[b.sb], table[b.sc], table[b.sd], table[b.se], table[b.sf]), 0, y + i0);
                } else {
                    for (int i = i0; i < count; i++) y[i] = table[x[i]];
                }
            }
            """;

    private cl_kernel widen;
    private Buffer tableBuffer;
    private float[] lastTable;
    /** The bytes of each buffer written from bytes, as large as the buffer's floats. */
    private final Map<Buffer, Mem> byteBuffers = new java.util.IdentityHashMap<>();

    @Override public void read(Buffer src, float[] dst, int to, int count) {
        if (count == 0) return;
        clEnqueueReadBuffer(queue, mem(src), CL_TRUE, 0, (long) count * Sizeof.cl_float,
                Pointer.to(dst).withByteOffset((long) to * Sizeof.cl_float), 0, null, null);
        retire(true);
        idle = true;
    }

    /** A queued write's host copy and the event that says the device has it. */
    private record Staged(cl_event done, ByteBuffer staging) {}

    /** Largest write that is staged; larger ones block. */
    static final long STAGED_MOST = 16 << 20;
    /** Queued writes at most: past this the host waits for the oldest (the device is that far behind). */
    private static final int PENDING_MOST = 64;

    private final ArrayDeque<Staged> pending = new ArrayDeque<>();
    private final StagingPool spare = new StagingPool();

    /**
     * Drops the staged writes the device has finished with, oldest first (an in-order queue
     * completes them in order); {@code all}: after a wait for the whole queue. Past
     * {@link #PENDING_MOST} queued writes, waits for the oldest.
     */
    private void retire(boolean all) {
        while (!pending.isEmpty()) {
            Staged s = pending.peek();
            if (!all && pending.size() < PENDING_MOST && !complete(s.done())) break;
            if (!all) clWaitForEvents(1, new cl_event[] {s.done()});
            pending.remove();
            clReleaseEvent(s.done());
            spare.give(s.staging());
        }
    }

    private static boolean complete(cl_event e) {
        int[] status = new int[1];
        clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(status), null);
        return status[0] == CL_COMPLETE;
    }

    /**
     * Builds the program with the block sizes of its tunable kernels as build options (only those
     * that differ from the defaults the text holds), then finds each kernel in it and fits its
     * work-group size to the device.
     */
    @Override public void compile(Supplier<String> text, List<Kernel> list) {
        String source = text.get();      // read even when every kernel is built: a missing program says so
        Map<Kernel, Choice> blocks = blocks(list);
        List<Kernel> todo = list.stream().filter(k -> kernels.get(k) == null || !Objects.equals(kernels.get(k).blocks(), blocks.get(k))).toList();
        if (todo.isEmpty()) return;
        String options = options(blocks);
        Map<Kernel, String> texts = new HashMap<>();
        for (Kernel k : todo) texts.put(k, text(k));
        // The reductions' group size: the program's own (256) where the device allows it, else the
        // largest power of two it allows, first for the device, then for each reducing kernel as built.
        int reduce = GroupSizes.reduction(limits, Program.REDUCE);
        Map<Kernel, cl_kernel> built;
        while (true) {
            String all = options + (reduce < Program.REDUCE ? " -D " + Program.REDUCE_MACRO + "=" + reduce : "");
            cl_program program = programs.computeIfAbsent(sha256(source) + all, h -> build(source, all));
            built = new HashMap<>();
            for (Kernel k : todo) built.put(k, kernel(program, k));
            int fits = reduce;
            for (Kernel k : todo) if (GroupSizes.reduces(texts.get(k))) fits = Math.min(fits, GroupSizes.reduction(limits(built.get(k)), reduce));
            if (fits == reduce) break;
            built.values().forEach(org.jocl.CL::clReleaseKernel);
            reduce = fits;
        }
        for (Kernel k : todo) {
            cl_kernel kernel = built.get(k);
            boolean reduces = GroupSizes.reduces(texts.get(k));
            long[] own = k instanceof Tunable t ? t.local(blocks.get(k)) : k.local();
            boolean bound = GroupSizes.bound(texts.get(k)) && !(k instanceof Tunable t && t.groupFree(blocks.get(k)));
            long[] local = GroupSizes.fit(k.name(), device.describe(), reduces ? new long[] {reduce} : own, bound, limits(kernel));
            Ready old = kernels.put(k, new Ready(kernel, blocks.get(k), local, reduces ? reduce : 0));
            if (old != null) clReleaseKernel(old.kernel());
        }
        launched.clear();
    }

    private static cl_kernel kernel(cl_program program, Kernel k) {
        try {
            return clCreateKernel(program, k.name(), null);
        } catch (CLException e) {
            throw new IllegalArgumentException("the OpenCL program has no kernel " + k.name() + " (" + e.getMessage()
                    + "): a model's .cl file must be the one dlnc emitted with its class");
        }
    }

    /** The work-group size {@code k} launches with here (after {@link #compile}): its own, fitted to the device. */
    long[] local(Kernel k) { return kernels.get(k).local(); }

    /** The device's own limits on work-groups. */
    GroupSizes.Limits limits() { return limits; }

    /** The block sizes of the tunable kernels among {@code list}. */
    private Map<Kernel, Choice> blocks(List<Kernel> list) {
        Map<Kernel, Choice> blocks = new HashMap<>();
        for (Kernel k : list) if (k instanceof Tunable t) blocks.put(k, choice(t));
        return blocks;
    }

    /** The build options that a program of {@code list} takes here: its text is the same whatever they are. */
    String options(List<Kernel> list) { return options(blocks(list)); }

    /** ` -D GEMM_ROWS_dense_1_fwd=8 ...` for the kernels whose block sizes are not the defaults, by kernel name: the same choices, the same options. */
    private static String options(Map<Kernel, Choice> blocks) {
        TreeMap<String, String> byName = new TreeMap<>();
        blocks.forEach((k, c) -> {
            if (!c.equals(((Tunable) k).defaults())) byName.put(k.name(), c.options(k.name()));
        });
        return byName.values().stream().map(o -> " " + o).collect(Collectors.joining());
    }

    /** The device's limits with the built kernel's own. */
    private GroupSizes.Limits limits(cl_kernel kernel) {
        long[] v = new long[1];
        clGetKernelWorkGroupInfo(kernel, device.id(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(v), null);
        long total = Math.min(limits.total(), v[0]);
        clGetKernelWorkGroupInfo(kernel, device.id(), CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Sizeof.size_t, Pointer.to(v), null);
        long multiple = v[0];
        clGetKernelWorkGroupInfo(kernel, device.id(), CL_KERNEL_LOCAL_MEM_SIZE, Sizeof.cl_ulong, Pointer.to(v), null);
        return new GroupSizes.Limits(limits.perDimension(), total, multiple, limits.localMemory(), v[0]);
    }

    /** A kernel's own OpenCL C, which says whether its work-items depend on their group ({@link GroupSizes#bound}) and whether it reduces. */
    private static String text(Kernel k) {
        C text = new C();
        k.opencl(text);
        return text.toString();
    }

    private cl_program build(String source, String options) {
        for (int attempt = 1; ; attempt++) {
            cl_program program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
            try {
                // -w: PoCL otherwise prints "N warnings generated." on the console for its own vector ABI notes;
                // errors still fail the build and come back with the log.
                clBuildProgram(program, 0, null, "-cl-mad-enable -w" + options, null, null);
                return program;
            } catch (CLException e) {
                String log = buildLog(program);
                clReleaseProgram(program);
                if (attempt < 3 && lostTemporaryFile(log)) continue;
                throw new KernelBuildException(device.describe(), log, source);
            }
        }
    }

    /**
     * A build that failed because LLVM's signal handler deleted the compiler's temporary files (a JVM
     * without libjsig, see {@link SignalChaining}): nothing is wrong with the source, and building
     * again succeeds.
     */
    static boolean lostTemporaryFile(String log) {
        return log.contains("unable to rename temporary");
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).replace("\0", "").strip();
    }

    /**
     * Whether nothing is queued: after a blocking read or a finish, until the next launch or staged
     * write. A write then goes straight from the caller's array with a wait that costs nothing,
     * saving the copy into a staging buffer (a prediction batch's input).
     */
    private boolean idle = true;

    @Override public void launch(Kernel kernel, int batch, int step, Buffer... args) {
        idle = false;
        Ready ready = launched.get(kernel);
        if (ready == null) {
            ready = kernels.get(kernel);
            if (ready != null) launched.put(kernel, ready);
        }
        long[] global = ready == null || ready.blocks() == null ? kernel.global(batch) : ((Tunable) kernel).global(batch, ready.blocks());
        for (long g : global) if (g == 0) return;
        if (ready == null) throw new IllegalStateException("kernel " + kernel.name() + " was not compiled");
        cl_kernel k = ready.kernel();
        setArguments(ready, args, batch, step);
        long[] local = ready.local();
        if (local != null) {
            global = global.clone();
            if (ready.reduce != 0) global[0] = global[0] / Program.REDUCE * ready.reduce;   // as many groups, of the size built
            for (int d = 0; d < global.length; d++) global[d] = (global[d] + local[d] - 1) / local[d] * local[d];
        }
        clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null);
    }

    /** Sets the kernel's arguments that differ from those it last launched with. */
    private static void setArguments(Ready ready, Buffer[] args, int batch, int step) {
        cl_kernel k = ready.kernel;
        if (ready.args.length != args.length) {
            ready.args = new cl_mem[args.length];
            ready.batch = ready.step = -1;
        }
        for (int i = 0; i < args.length; i++) {
            cl_mem m = mem(args[i]);
            if (ready.args[i] != m) {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
                ready.args[i] = m;
            }
        }
        if (ready.batch != batch) {
            clSetKernelArg(k, args.length, Sizeof.cl_int, Pointer.to(new int[] {batch}));
            ready.batch = batch;
        }
        if (ready.step != step) {
            clSetKernelArg(k, args.length + 1, Sizeof.cl_int, Pointer.to(new int[] {step}));
            ready.step = step;
        }
    }

    @Override public void finish() {
        clFinish(queue);
        retire(true);
        idle = true;
    }

    @Override public void close() {
        clFinish(queue);
        retire(true);
        if (widen != null) clReleaseKernel(widen);
        byteBuffers.values().forEach(b -> clReleaseMemObject(b.mem()));
        kernels.values().forEach(r -> clReleaseKernel(r.kernel()));
        programs.values().forEach(org.jocl.CL::clReleaseProgram);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

    private static cl_mem mem(Buffer b) { return ((Mem) b).mem(); }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
