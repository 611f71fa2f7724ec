package com.example.digits;

import dln.runtime.Model;
import dln.runtime.device.Backends;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Classifies three handwritten digits with the class generated from digits.dln: with trained
 * weights when given a safetensors file (written by {@code dlnc train}, by {@link Model#save}, or
 * by PyTorch under the same names), else with freshly initialized ones, which guess.
 */
public final class Main {
    /** Three 8x8 images from the UCI digits (pixels 0 to 16), and what they show. */
    static final int[][] IMAGES = {
        {
            0,  3, 14, 15,  6,  0,  0,  0,
            0,  7, 15, 14, 15,  0,  0,  0,
            0,  2,  7,  2, 14,  3,  0,  0,
            0,  0,  0,  1, 14,  4,  0,  0,
            0,  0,  0,  7, 15,  2,  0,  0,
            0,  0,  5, 15, 14,  4,  1,  0,
            0,  4, 15, 16, 16, 16,  6,  0,
            0,  4, 15, 13, 12, 11,  1,  0,
        }, {
            0,  0,  9, 12, 14,  6,  0,  0,
            0,  0, 16,  6,  0,  0,  0,  0,
            0,  2, 15,  0,  0,  0,  0,  0,
            0,  8, 15, 12, 16,  9,  1,  0,
            0,  1,  8,  6,  2, 12,  7,  0,
            0,  0,  0,  0,  0, 11,  7,  0,
            0,  0,  0,  0,  8, 15,  2,  0,
            0,  0, 12, 14,  9,  2,  0,  0,
        }, {
            0,  0,  1, 10, 16, 16,  1,  0,
            0,  0,  9, 16, 13, 16,  1,  0,
            0,  0,  0,  0,  5, 11,  0,  0,
            0,  0,  0,  3, 12, 12,  5,  0,
            0,  0,  7, 16, 16, 10,  4,  0,
            0,  0,  3, 11, 13,  0,  0,  0,
            0,  0,  0, 11,  5,  0,  0,  0,
            0,  0,  0, 15,  0,  0,  0,  0,
        },
    };
    static final int[] LABELS = {2, 5, 7};

    private Main() {}

    public static void main(String[] args) throws IOException {
        try (Model model = new Digits(Backends.open("auto"), IMAGES.length)) {
            if (args.length > 0) {
                model.load(Path.of(args[0]));
                System.out.println("Weights: " + args[0]);
            } else {
                model.initialize(42);
                System.out.println("Weights: initialized with seed 42 (untrained: pass a .safetensors file to use trained ones)");
            }
            System.out.println("Backend: " + model.backend().description());
            float[] probs = model.predict(IMAGES.length, pixels(IMAGES))[0];
            for (int i = 0; i < IMAGES.length; i++) {
                int guess = argmax(probs, i * 10, 10);
                System.out.printf(Locale.ROOT, "image of a %d: predicted %d (p = %.2f)%n", LABELS[i], guess, probs[i * 10 + guess]);
            }
        }
    }

    /** The images as one row-major batch [n, 1, 8, 8], scaled to 0..1 as the training data was. */
    static float[] pixels(int[][] images) {
        float[] out = new float[images.length * 64];
        for (int i = 0; i < images.length; i++) {
            for (int p = 0; p < 64; p++) out[i * 64 + p] = images[i][p] / 16f;
        }
        return out;
    }

    static int argmax(float[] values, int from, int count) {
        int best = 0;
        for (int c = 1; c < count; c++) if (values[from + c] > values[from + best]) best = c;
        return best;
    }
}
