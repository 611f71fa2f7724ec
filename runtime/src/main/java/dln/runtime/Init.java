package dln.runtime;

import java.util.SplittableRandom;

/**
 * How a parameter starts: {@code kind} is zeros, ones, constant, normal (std = scale), uniform
 * (limit = scale), xavier, he_normal, he_uniform, or torch (PyTorch's default for dense and
 * convolution layers: uniform in ±1/√fanIn). Values depend only on the seed and the parameter's
 * name, so models that share parameter names start alike.
 */
public record Init(String kind, double scale, long fanIn, long fanOut) {

    public float[] values(long size, long seed, String name) {
        float[] out = new float[Math.toIntExact(size)];
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        switch (kind) {
            case "zeros" -> {}
            case "ones" -> java.util.Arrays.fill(out, 1f);
            case "constant" -> java.util.Arrays.fill(out, (float) scale);
            case "normal" -> normal(out, r, scale);
            case "uniform" -> uniform(out, r, scale);
            case "xavier" -> uniform(out, r, Math.sqrt(6.0 / Math.max(1, fanIn + fanOut)));
            case "he_normal" -> normal(out, r, Math.sqrt(2.0 / Math.max(1, fanIn)));
            case "he_uniform" -> uniform(out, r, Math.sqrt(6.0 / Math.max(1, fanIn)));
            case "torch" -> uniform(out, r, 1 / Math.sqrt(Math.max(1, fanIn)));
            default -> throw new IllegalArgumentException("unknown initializer " + kind);
        }
        return out;
    }

    private static void normal(float[] out, SplittableRandom r, double std) {
        for (int i = 0; i < out.length; i++) {
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            out[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
    }

    private static void uniform(float[] out, SplittableRandom r, double limit) {
        for (int i = 0; i < out.length; i++) out[i] = (float) ((2 * r.nextDouble() - 1) * limit);
    }
}
