package com.example.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsTest {
    private final float[] images = Main.pixels(Main.IMAGES);

    @Test
    void givesTenProbabilitiesPerImage() {
        try (Model model = new Digits(new JvmBackend(), 3)) {
            model.initialize(42);
            float[] p = model.predict(3, images)[0];
            assertEquals(30, p.length);
            for (int i = 0; i < 3; i++) {
                double sum = 0;
                for (int c = 0; c < 10; c++) sum += p[i * 10 + c];
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void savedWeightsLoadBack(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("digits.safetensors");
        float[] expected;
        try (Model model = new Digits(new JvmBackend(), 3)) {
            model.initialize(7);
            expected = model.predict(3, images)[0];
            model.save(weights);
        }
        try (Model model = new Digits(new JvmBackend(), 3)) {
            model.load(weights);
            assertArrayEquals(expected, model.predict(3, images)[0]);
        }
    }
}
