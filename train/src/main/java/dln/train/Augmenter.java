package dln.train;

import dln.net.Training;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The train block's {@code augment} list, applied on the host to each training batch before it
 * is uploaded, in the order written: {@code shift(p)} moves each image by a whole number of pixels
 * drawn uniformly from [−p, p] on each axis, filling with zeros; {@code flip(horizontal)} mirrors
 * half the images left to right, {@code flip(vertical)} top to bottom; {@code noise(std)} adds
 * Gaussian noise to every value. Images are [channels, height, width]; noise takes any shape.
 */
public final class Augmenter {
    private final List<Training.Call> steps;
    private final long[] shape;

    public Augmenter(List<Training.Call> steps, long[] inputShape) {
        this.steps = List.copyOf(steps);
        this.shape = inputShape.clone();
    }

    public boolean isEmpty() { return steps.isEmpty(); }

    /** Augments the {@code n} examples in {@code x} in place. */
    public void apply(float[] x, int n, SplittableRandom random) {
        int per = x.length / Math.max(n, 1);
        for (Training.Call step : steps) {
            for (int i = 0; i < n; i++) {
                int at = i * per;
                switch (step.name()) {
                    case "shift" -> {
                        int p = (int) step.real("pixels");
                        shift(x, at, random.nextInt(-p, p + 1), random.nextInt(-p, p + 1));
                    }
                    case "flip" -> {
                        if (random.nextBoolean()) flip(x, at, "horizontal".equals(step.args().get("axis")));
                    }
                    case "noise" -> {
                        double std = step.real("std");
                        for (int k = at; k < at + per; k++) x[k] += (float) (std * gaussian(random));
                    }
                    default -> throw new IllegalStateException("unknown augmentation " + step.name());
                }
            }
        }
    }

    /** A copy of the plane being shifted, kept between images: a new one per image was most of a training step's garbage. */
    private float[] plane = new float[0];

    /** Moves the image at {@code at} down by {@code dy} and right by {@code dx} pixels, zeros coming in. */
    void shift(float[] x, int at, int dy, int dx) {
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        if (plane.length < h * w) plane = new float[h * w];
        for (int ch = 0; ch < c; ch++) {
            int base = at + ch * h * w;
            System.arraycopy(x, base, plane, 0, h * w);
            for (int r = 0; r < h; r++) {
                int from = r - dy;
                for (int col = 0; col < w; col++) {
                    int fc = col - dx;
                    x[base + r * w + col] = from >= 0 && from < h && fc >= 0 && fc < w ? plane[from * w + fc] : 0f;
                }
            }
        }
    }

    /** Mirrors the image at {@code at}: left to right when {@code horizontal}, else top to bottom. */
    void flip(float[] x, int at, boolean horizontal) {
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        for (int ch = 0; ch < c; ch++) {
            int base = at + ch * h * w;
            if (horizontal) {
                for (int r = 0; r < h; r++) {
                    for (int a = base + r * w, b = a + w - 1; a < b; a++, b--) swap(x, a, b);
                }
            } else {
                for (int top = 0, bottom = h - 1; top < bottom; top++, bottom--) {
                    for (int col = 0; col < w; col++) swap(x, base + top * w + col, base + bottom * w + col);
                }
            }
        }
    }

    private static void swap(float[] x, int a, int b) {
        float t = x[a];
        x[a] = x[b];
        x[b] = t;
    }

    /** A standard normal draw (Box–Muller), from this generator only. */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
