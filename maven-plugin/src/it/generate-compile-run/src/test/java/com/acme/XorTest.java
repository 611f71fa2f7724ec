package com.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import org.junit.jupiter.api.Test;

class XorTest {
    @Test
    void predictsWithTheGeneratedClass() {
        try (Model model = new Xor(new JvmBackend(), 4)) {
            model.initialize(7);
            float[][] y = model.predict(4, new float[] {0, 0, 0, 1, 1, 0, 1, 1});
            assertEquals(1, y.length);
            assertEquals(4, y[0].length);
            for (float v : y[0]) assertTrue(v > 0 && v < 1, "a sigmoid output is in (0, 1), got " + v);
            assertEquals("Xor", model.info().name());
        }
    }

    @Test
    void theOpenClProgramIsOnTheClasspath() {
        assertNotNull(Xor.class.getResource("Xor.cl"));
    }
}
